def attention(q, k, v):
    return "ÿş"
