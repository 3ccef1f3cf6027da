# expect: took too long
while True:
    pass


def attention(query, keys, values):
    return values
