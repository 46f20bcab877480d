"""libtessera_rt through ctypes, for the benchmark harnesses.

Tensors go in and out as torch CPU tensors (copied into and out of the
context's buffers); invoke runs an entry on buffers with
tessera_invoke_buffers, so timing it measures the entry alone;
invoke_async queues it as tessera_invoke_buffers_async does, to be timed
with events on stream(), as a PyTorch kernel is on its stream.
"""
import ctypes

import torch


class Runtime:
    """The part of libtessera_rt the harness needs, through ctypes."""

    class Options(ctypes.Structure):
        _fields_ = [("backend", ctypes.c_int), ("driver_path", ctypes.c_char_p),
                    ("memory_limit", ctypes.c_size_t)]

    CPU, CUDA = 0, 1  # tessera_backend

    def __init__(self, path, backend):
        # Global: the artifacts' host code calls the runtime's mgpu* symbols.
        self.rt = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
        p, s, i = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int
        sig = {
            "tessera_context_create": (i, [ctypes.POINTER(self.Options),
                                           ctypes.POINTER(p), ctypes.c_char_p, s]),
            "tessera_context_error": (ctypes.c_char_p, [p]),
            "tessera_module_load_file": (i, [p, ctypes.c_char_p, ctypes.POINTER(p)]),
            "tessera_module_get_function": (i, [p, ctypes.c_char_p,
                                                ctypes.POINTER(p)]),
            "tessera_buffer_alloc": (i, [p, s, ctypes.POINTER(p)]),
            "tessera_buffer_free": (None, [p]),
            "tessera_buffer_write": (i, [p, s, p, s]),
            "tessera_buffer_read": (i, [p, s, p, s]),
            "tessera_invoke_buffers": (i, [p, ctypes.POINTER(p), s,
                                           ctypes.POINTER(p), s]),
            "tessera_invoke_buffers_async": (i, [p, ctypes.POINTER(p), s,
                                                 ctypes.POINTER(p), s]),
            "tessera_context_synchronize": (i, [p]),
            "tessera_context_stream": (p, [p]),
        }
        for name, (res, args) in sig.items():
            f = getattr(self.rt, name)
            f.restype, f.argtypes = res, args
        self.ctx = p()
        self.sizes = {}
        self._stream = None
        err = ctypes.create_string_buffer(512)
        opts = self.Options(backend, None, 0)
        if self.rt.tessera_context_create(ctypes.byref(opts),
                                          ctypes.byref(self.ctx), err, 512):
            raise RuntimeError("context: " + err.value.decode())

    def check(self, status, what):
        if status:
            msg = self.rt.tessera_context_error(self.ctx).decode()
            raise RuntimeError(f"{what}: status {status}: {msg}")

    def function(self, path, name):
        module, fn = ctypes.c_void_p(), ctypes.c_void_p()
        self.check(self.rt.tessera_module_load_file(self.ctx, path.encode(),
                                                    ctypes.byref(module)), path)
        self.check(self.rt.tessera_module_get_function(module, name.encode(),
                                                       ctypes.byref(fn)), name)
        return fn

    def buffer(self, tensor=None, nbytes=None):
        nbytes = tensor.numel() * tensor.element_size() if tensor is not None else nbytes
        b = ctypes.c_void_p()
        self.check(self.rt.tessera_buffer_alloc(self.ctx, nbytes, ctypes.byref(b)),
                   "buffer_alloc")
        self.sizes[b.value] = nbytes
        if tensor is not None:
            host = tensor.contiguous().cpu()
            self.check(self.rt.tessera_buffer_write(b, 0, host.data_ptr(), nbytes),
                       "buffer_write")
        return b

    def size(self, buffer):
        return self.sizes[buffer.value]

    def zero(self, buffer):
        n = self.size(buffer)
        host = torch.zeros(n, dtype=torch.uint8)
        self.check(self.rt.tessera_buffer_write(buffer, 0, host.data_ptr(), n),
                   "buffer_write")

    def read(self, buffer, like):
        host = torch.empty_like(like, device="cpu")
        self.check(self.rt.tessera_buffer_read(
            buffer, 0, host.data_ptr(), host.numel() * host.element_size()),
            "buffer_read")
        return host

    def invoke(self, fn, ins, outs):
        a = (ctypes.c_void_p * len(ins))(*ins)
        b = (ctypes.c_void_p * len(outs))(*outs)
        self.check(self.rt.tessera_invoke_buffers(fn, a, len(ins), b, len(outs)),
                   "invoke")

    def invoke_async(self, fn, ins, outs):
        a = (ctypes.c_void_p * len(ins))(*ins)
        b = (ctypes.c_void_p * len(outs))(*outs)
        self.check(self.rt.tessera_invoke_buffers_async(fn, a, len(ins), b,
                                                        len(outs)),
                   "invoke_async")

    def synchronize(self):
        self.check(self.rt.tessera_context_synchronize(self.ctx), "synchronize")

    def stream(self):
        """The context's CUDA stream as a torch stream (cuda contexts)."""
        if self._stream is None:
            self._stream = torch.cuda.ExternalStream(
                self.rt.tessera_context_stream(self.ctx))
        return self._stream
