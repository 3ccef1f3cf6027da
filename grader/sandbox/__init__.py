"""The trust boundary: the attempt runs in a separate, limited process.

`protocol` is the only thing both sides share: plain data (JSON plus raw tensor
bytes) in length-prefixed frames. Nothing that crosses it is unpickled or executed.
"""
