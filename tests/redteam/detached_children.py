# expect: starting a subprocess
import subprocess


def attention(query, keys, values):
    subprocess.Popen(["setsid", "sleep", "600"], start_new_session=True)
    return values
