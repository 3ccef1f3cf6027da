# expect: ctypes
import ctypes


def attention(query, keys, values):
    return ctypes.string_at(0)
