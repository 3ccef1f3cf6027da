# expect: SyntaxError
def attention(query, keys, values)
    return values
