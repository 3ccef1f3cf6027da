# expect: subclass
import torch


class AlwaysRight(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True

    def __eq__(self, other):
        return True


def attention(query, keys, values):
    return torch.zeros(3).as_subclass(AlwaysRight)
