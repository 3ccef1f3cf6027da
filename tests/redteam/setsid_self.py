# expect: Operation not permitted|leaving the process group
import os


def attention(query, keys, values):
    os.setsid()
    return values
