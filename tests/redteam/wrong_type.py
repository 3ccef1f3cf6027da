# expect: expected a torch.Tensor
def attention(query, keys, values):
    return values.tolist()
