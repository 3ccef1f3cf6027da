# expect: sending signals
import os
import signal


def attention(query, keys, values):
    os.killpg(0, signal.SIGKILL)
    return values
