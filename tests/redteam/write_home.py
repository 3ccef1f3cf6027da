# expect: does not allow writing|does not allow changing
import pathlib


def attention(query, keys, values):
    pathlib.Path("/tmp/attn-redteam-canary-home").mkdir()
    return values
