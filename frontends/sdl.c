/* The SDL2 window. Keys are taken by SDL scancode, which is the USB HID usage of the physical
 * key (SDL_scancode.h), so the guest gets positions, not characters: its own keyboard layout
 * applies, as on real hardware. */
#define SDL_MAIN_HANDLED
#include "sdl.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"

struct sdl_window {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    unsigned tex_w, tex_h;
    unsigned out_w, out_h;     /* the frame's shape on screen (4:3 for VGA modes) */
    bool square;
    bool grabbed;
    unsigned buttons;
    char title[160];
    bool held[SDL_NUM_SCANCODES];   /* keys sent down, to release them when focus goes */
};

struct sdl_window *sdl_open(const char *title, char *why, size_t whylen)
{
    /* jitpc's own SIGINT/SIGTERM handlers close the disks through pc_free: keep them. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    /* Alt-Tab, the Windows keys and the like go to the guest while the mouse is grabbed. */
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        snprintf(why, whylen, "-display sdl: %s", SDL_GetError());
        return NULL;
    }
    struct sdl_window *w = calloc(1, sizeof(*w));
    if (!w) {
        SDL_Quit();
        snprintf(why, whylen, "-display sdl: out of memory");
        return NULL;
    }
    w->win = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 720, 540,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (w->win) {
        /* No vsync: presenting must never block the emulation loop. */
        w->ren = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_ACCELERATED);
        if (!w->ren)
            w->ren = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_SOFTWARE);
    }
    if (!w->ren) {
        snprintf(why, whylen, "-display sdl: %s", SDL_GetError());
        sdl_close(w);
        return NULL;
    }
    snprintf(w->title, sizeof(w->title), "%s", title);
    SDL_SetRenderDrawColor(w->ren, 0, 0, 0, 255);
    SDL_RenderClear(w->ren);
    SDL_RenderPresent(w->ren);
    return w;
}

void sdl_close(struct sdl_window *w)
{
    if (!w)
        return;
    if (w->tex)
        SDL_DestroyTexture(w->tex);
    if (w->ren)
        SDL_DestroyRenderer(w->ren);
    if (w->win)
        SDL_DestroyWindow(w->win);
    free(w);
    SDL_Quit();
}

static void update_title(struct sdl_window *w)
{
    char t[256];
    snprintf(t, sizeof(t), "%s%s", w->title, w->grabbed ? " - Ctrl-Alt-G releases the mouse" : "");
    SDL_SetWindowTitle(w->win, t);
}

void sdl_set_title(struct sdl_window *w, const char *title)
{
    snprintf(w->title, sizeof(w->title), "%s", title);
    update_title(w);
}

/* The largest whole multiple of the frame's shape that fits the window, centred; a smaller
 * window gets the largest rectangle of that aspect. */
static void present(struct sdl_window *w)
{
    int ww, wh;
    SDL_GetRendererOutputSize(w->ren, &ww, &wh);
    SDL_RenderClear(w->ren);
    if (w->tex && w->out_w && w->out_h && ww > 0 && wh > 0) {
        SDL_Rect dst;
        unsigned k = (unsigned)ww / w->out_w < (unsigned)wh / w->out_h ? (unsigned)ww / w->out_w : (unsigned)wh / w->out_h;
        if (k >= 1) {
            dst.w = (int)(k * w->out_w);
            dst.h = (int)(k * w->out_h);
        } else if ((uint64_t)ww * w->out_h <= (uint64_t)wh * w->out_w) {
            dst.w = ww;
            dst.h = (int)((uint64_t)ww * w->out_h / w->out_w);
        } else {
            dst.h = wh;
            dst.w = (int)((uint64_t)wh * w->out_w / w->out_h);
        }
        dst.x = (ww - dst.w) / 2;
        dst.y = (wh - dst.h) / 2;
        SDL_RenderCopy(w->ren, w->tex, NULL, &dst);
    }
    SDL_RenderPresent(w->ren);
}

/* A new frame size: new texture, and the window resized to a whole multiple of the shape, at
 * least 640 pixels wide where the screen allows (320x200 shows as 640x480). */
static bool resize(struct sdl_window *w, unsigned width, unsigned height, bool square)
{
    if (w->tex)
        SDL_DestroyTexture(w->tex);
    w->tex = SDL_CreateTexture(w->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING, (int)width, (int)height);
    if (!w->tex)
        return false;
    w->tex_w = width;
    w->tex_h = height;
    w->square = square;
    w->out_w = width;
    w->out_h = square ? height : width * 3 / 4;
    /* Whole-pixel scaling looks sharp; the stretched CRT shapes are smoothed instead. */
    SDL_SetTextureScaleMode(w->tex, square ? SDL_ScaleModeNearest : SDL_ScaleModeLinear);
    SDL_Rect usable = {0, 0, 1920, 1080};
    SDL_GetDisplayUsableBounds(SDL_GetWindowDisplayIndex(w->win), &usable);
    unsigned k = (640 + w->out_w - 1) / w->out_w;
    while (k > 1 && (k * w->out_w > (unsigned)usable.w || k * w->out_h > (unsigned)usable.h))
        k--;
    if (!(SDL_GetWindowFlags(w->win) & (SDL_WINDOW_MAXIMIZED | SDL_WINDOW_FULLSCREEN)))
        SDL_SetWindowSize(w->win, (int)(k * w->out_w), (int)(k * w->out_h));
    return true;
}

void sdl_frame(struct sdl_window *w, const uint32_t *pixels, unsigned width, unsigned height, unsigned y0,
               unsigned y1, bool square)
{
    if (!width || !height) {
        if (w->tex) {
            SDL_DestroyTexture(w->tex);
            w->tex = NULL;
        }
        present(w);
        return;
    }
    if (!w->tex || width != w->tex_w || height != w->tex_h || square != w->square) {
        if (!resize(w, width, height, square))
            return;
        y0 = 0;
        y1 = height;
    }
    if (y1 > height)
        y1 = height;
    if (y0 < y1) {
        SDL_Rect r = {0, (int)y0, (int)width, (int)(y1 - y0)};
        /* SDL_PIXELFORMAT_RGB888 is 32-bit 0x00RRGGBB in host order, the VGA's own format. */
        SDL_UpdateTexture(w->tex, &r, pixels + (size_t)y0 * width, (int)(width * sizeof(uint32_t)));
    }
    present(w);
}

static void set_grab(struct sdl_window *w, bool on)
{
    w->grabbed = on;
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowGrab(w->win, on ? SDL_TRUE : SDL_FALSE);
    update_title(w);
}

static void release_all(struct sdl_window *w, const struct sdl_input *in)
{
    for (int sc = 0; sc < SDL_NUM_SCANCODES; sc++) {
        if (w->held[sc]) {
            w->held[sc] = false;
            int code = keymap_from_hid((unsigned)sc);
            if (code >= 0)
                in->key(in->opaque, code, false);
        }
    }
}

static unsigned button_bit(Uint8 b)
{
    switch (b) {
    case SDL_BUTTON_LEFT: return 1;
    case SDL_BUTTON_RIGHT: return 2;
    case SDL_BUTTON_MIDDLE: return 4;
    default: return 0;
    }
}

void sdl_poll(struct sdl_window *w, const struct sdl_input *in)
{
    SDL_Event e;
    int dx = 0, dy = 0, dz = 0;
    bool moved = false, redraw = false;
    while (SDL_PollEvent(&e)) {
        switch (e.type) {
        case SDL_QUIT:
            in->quit(in->opaque);
            break;
        case SDL_WINDOWEVENT:
            if (e.window.event == SDL_WINDOWEVENT_CLOSE)
                in->quit(in->opaque);
            else if (e.window.event == SDL_WINDOWEVENT_FOCUS_LOST) {
                /* Keys held when focus goes would stay down in the guest: release them. */
                release_all(w, in);
                if (w->grabbed)
                    set_grab(w, false);
            } else if (e.window.event == SDL_WINDOWEVENT_EXPOSED || e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
                redraw = true;
            break;
        case SDL_KEYDOWN:
        case SDL_KEYUP: {
            SDL_Scancode sc = e.key.keysym.scancode;
            bool down = e.type == SDL_KEYDOWN;
            if (down && w->grabbed && sc == SDL_SCANCODE_G && (SDL_GetModState() & KMOD_CTRL) &&
                (SDL_GetModState() & KMOD_ALT)) {
                set_grab(w, false);
                break;       /* the G of Ctrl-Alt-G stays with us (its release too: not held) */
            }
            int code = keymap_from_hid((unsigned)sc);
            if (code < 0 || (unsigned)sc >= SDL_NUM_SCANCODES)
                break;
            if (!down && !w->held[sc])
                break;       /* a release whose press went elsewhere */
            w->held[sc] = down;
            /* Auto-repeat arrives as repeated downs: the typematic make codes a keyboard sends. */
            in->key(in->opaque, code, down);
            break;
        }
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP:
            if (!w->grabbed) {
                if (e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT)
                    set_grab(w, true);   /* the grabbing click is not the guest's */
                break;
            }
            if (e.type == SDL_MOUSEBUTTONDOWN)
                w->buttons |= button_bit(e.button.button);
            else
                w->buttons &= ~button_bit(e.button.button);
            in->mouse(in->opaque, dx, dy, dz, w->buttons);
            dx = dy = dz = 0;
            moved = false;
            break;
        case SDL_MOUSEMOTION:
            if (w->grabbed) {
                dx += e.motion.xrel;
                dy += e.motion.yrel;
                moved = true;
            }
            break;
        case SDL_MOUSEWHEEL:
            if (w->grabbed) {
                int y = e.wheel.y;
                if (e.wheel.direction == SDL_MOUSEWHEEL_FLIPPED)
                    y = -y;
                dz += y;
                moved = true;
            }
            break;
        default:
            break;
        }
    }
    if (moved)
        in->mouse(in->opaque, dx, dy, dz, w->buttons);
    if (redraw)
        present(w);
}
