# expect: forking a child process
import os


def attention(query, keys, values):
    for _ in range(4):
        os.fork()
    return values
