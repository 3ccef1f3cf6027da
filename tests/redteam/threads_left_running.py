# expect: values differ beyond tolerance
import threading
import time


def _spin():
    while True:
        time.sleep(0.01)


def attention(query, keys, values):
    threading.Thread(target=_spin, daemon=False).start()
    return values[: query.shape[0]] if query.dim() == 2 else values[0]
