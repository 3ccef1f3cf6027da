# expect: RecursionError
def attention(query, keys, values, depth=0):
    return attention(query, keys, values, depth + 1)
