# expect: does not allow writing
def attention(query, keys, values):
    with open("/tmp/attn-redteam-canary-results.json", "w") as fh:
        fh.write('{"status": "pass"}')
    return values
