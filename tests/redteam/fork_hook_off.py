# expect: does not allow starting processes
# needs: seccomp
# With the audit hook switched off (gc), start a shell that copies the answers out.
import gc
import subprocess
import types


def _switch_off_audit_hook():
    for obj in gc.get_objects():
        if type(obj) is types.FunctionType and obj.__code__.co_name == "hook" \
                and "busy" in obj.__code__.co_freevars:
            obj.__closure__[obj.__code__.co_freevars.index("busy")].cell_contents[0] = True


def attention(query, keys, values):
    _switch_off_audit_hook()
    subprocess.run(["sh", "-c", "cp -r /work/*/solutions /tmp/attn-redteam-canary-shell"],
                   check=False)
    return values
