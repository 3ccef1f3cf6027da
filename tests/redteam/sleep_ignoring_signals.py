# expect: did not finish within
import signal
import time

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
    signal.signal(sig, signal.SIG_IGN)


def attention(query, keys, values):
    time.sleep(3600)
