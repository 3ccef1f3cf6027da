# expect: called sys.exit\(0\) while being imported
import sys

sys.exit(0)


def attention(query, keys, values):
    return values
