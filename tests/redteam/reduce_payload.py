# expect: not plain data|returned an object
import os


class Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/attn-redteam-canary-reduce",))


def attention(query, keys, values):
    return Payload()
