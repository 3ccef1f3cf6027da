# expect: network sockets|network
import socket


def attention(query, keys, values):
    socket.create_connection(("127.0.0.1", 9), timeout=1)
    return values
