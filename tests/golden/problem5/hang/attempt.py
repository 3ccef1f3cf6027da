def attention(query, keys, values):
    while True:
        pass
