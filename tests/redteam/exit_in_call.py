# expect: SystemExit
import sys


def attention(query, keys, values):
    sys.exit(0)
