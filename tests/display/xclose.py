#!/usr/bin/env python3
"""Asks an X window to close as a window manager's close button does: a WM_PROTOCOLS client
message carrying WM_DELETE_WINDOW (ICCCM 4.2.8.1), sent with libX11 through ctypes.
Usage: xclose.py WINDOW-ID"""
import ctypes, sys

x = ctypes.cdll.LoadLibrary('libX11.so.6')
x.XOpenDisplay.restype = ctypes.c_void_p
x.XInternAtom.restype = ctypes.c_ulong
x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]


class ClientMessage(ctypes.Structure):   # XClientMessageEvent, padded to sizeof(XEvent)
    _fields_ = [('type', ctypes.c_int), ('serial', ctypes.c_ulong), ('send_event', ctypes.c_int),
                ('display', ctypes.c_void_p), ('window', ctypes.c_ulong), ('message_type', ctypes.c_ulong),
                ('format', ctypes.c_int), ('l', ctypes.c_long * 5), ('pad', ctypes.c_long * 12)]


x.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(ClientMessage)]
d = x.XOpenDisplay(None)
win = int(sys.argv[1], 0)
ev = ClientMessage()
ev.type = 33                                  # ClientMessage
ev.window = win
ev.message_type = x.XInternAtom(d, b'WM_PROTOCOLS', 0)
ev.format = 32
ev.l[0] = x.XInternAtom(d, b'WM_DELETE_WINDOW', 0)
ev.l[1] = 0                                   # CurrentTime
x.XSendEvent(d, win, 0, 0, ctypes.byref(ev))
x.XFlush.argtypes = [ctypes.c_void_p]
x.XFlush(d)
