# expect: shell command|subprocess
import os


def attention(query, keys, values):
    os.system("touch /tmp/attn-redteam-canary-system")
    return values
