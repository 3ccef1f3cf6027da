# expect: sending signals
import os
import signal


def attention(query, keys, values):
    os.kill(os.getppid(), signal.SIGKILL)
    return values
