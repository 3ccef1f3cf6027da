# expect: does not allow
# needs: landlock-files
# Looks for file descriptors the sandbox inherited from the grader and re-opens each
# one through /proc/self/fd for writing; then goes for the fork server's descriptors.
import os


def attention(query, keys, values):
    reopened, refusals = [], []
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue
        if target.startswith("/") and not target.startswith((os.getcwd(), "/dev/null")):
            try:
                with open(f"/proc/self/fd/{name}", "r+b"):   # a file outside the sandbox
                    reopened.append(target)
            except OSError as err:
                refusals.append(err)
    try:
        reopened.append(os.listdir(f"/proc/{os.getppid()}/fd"))  # the fork server's channel
    except OSError as err:
        refusals.append(err)
    if reopened:
        raise RuntimeError(f"reached outside through descriptors: {reopened}")
    raise refusals[-1]
