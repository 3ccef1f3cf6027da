# -*- coding: latin-1 -*-
def attention(q, k, v):
    return "é"
