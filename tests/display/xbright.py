#!/usr/bin/env python3
"""Counts the pixels of an X window brighter than mid grey (libX11 through ctypes: XGetImage,
XGetPixel on a 24-bit TrueColor visual). Usage: xbright.py WINDOW-ID"""
import ctypes, sys

x = ctypes.cdll.LoadLibrary('libX11.so.6')
x.XOpenDisplay.restype = ctypes.c_void_p
x.XGetImage.restype = ctypes.c_void_p
x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_uint,
                        ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
x.XGetPixel.restype = ctypes.c_ulong
x.XGetPixel.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]


class Attrs(ctypes.Structure):   # the head of XWindowAttributes: x, y, width, height
    _fields_ = [('x', ctypes.c_int), ('y', ctypes.c_int), ('width', ctypes.c_int), ('height', ctypes.c_int),
                ('rest', ctypes.c_byte * 256)]


d = x.XOpenDisplay(None)
win = int(sys.argv[1], 0)
a = Attrs()
x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(Attrs)]
x.XGetWindowAttributes(d, win, ctypes.byref(a))
img = x.XGetImage(d, win, 0, 0, a.width, a.height, 0xFFFFFFFF, 2)   # ZPixmap
bright = 0
for yy in range(0, a.height, 2):
    for xx in range(0, a.width, 2):
        p = x.XGetPixel(img, xx, yy)
        if (p >> 16) & 255 > 0x80 and (p >> 8) & 255 > 0x80 and p & 255 > 0x80:
            bright += 1
print(bright)
