# expect: segmentation fault
import faulthandler


def attention(query, keys, values):
    faulthandler._sigsegv()
