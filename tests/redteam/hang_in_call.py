# expect: did not finish within
def attention(query, keys, values):
    while True:
        pass
