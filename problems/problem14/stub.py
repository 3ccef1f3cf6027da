"""problem14 · transformer encoder layer. Read the statement: attn-practice show problem14"""

import torch


def encoder_layer(x: torch.Tensor, params: dict, num_heads: int,
                  padding_mask: torch.Tensor | None = None) -> torch.Tensor:
    """One post-norm Transformer encoder layer on x [b, n, d].

    params holds torch.nn.TransformerEncoderLayer's state dict (a Linear weight is
    [out, in]); padding_mask is bool [b, n], True = real token. Returns [b, n, d].
    """
    # TODO: self-attention: x @ in_proj_weight.T + in_proj_bias, split into q | k | v,
    #       then into num_heads heads; scaled scores; padded keys get -inf; softmax over keys;
    #       merge the heads; out_proj
    # TODO: x = norm1(x + attention)   (layer norm over d, eps 1e-5, with weight and bias)
    # TODO: x = norm2(x + linear2(relu(linear1(x))))
    raise NotImplementedError("encoder_layer is not written yet")
