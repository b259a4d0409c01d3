/* The 8042 keyboard controller with its PS/2 keyboard and mouse (devices/i8042.c), driven
 * through ports 0x60/0x64 the way a BIOS or driver does. Sources cited per expectation:
 *   [HelpPC]  HelpPC 2.10, "8042 - Keyboard Controller (AT,PS/2)" (status register, commands)
 *   [aeb]     A. Brouwer, "Keyboard scancodes", §10 (controller, translation), §11 (command
 *             byte, controller commands, output port), §12 (keyboard commands), §13 (mouse)
 *   [CE-kbd]  A. Chapweske, "The PS/2 Keyboard Interface", computer-engineering.org
 *   [CE-mouse] A. Chapweske, "The PS/2 Mouse Interface", computer-engineering.org
 *   [set2]    the set 2 and set 1 scan code tables in [aeb] §1 ("A" = 1C in set 2, 1E in set 1) */
#include <check.h>
#include <stdlib.h>

#include "core/ioport.h"
#include "core/irq.h"
#include "devices/i8042.h"

static struct iobus io;
static struct i8042 kbc;
static int level[16], rises[16];
static int a20_calls, a20_state, reset_calls;

static void irq_record(void *opaque, int line, int lvl)
{
    (void)opaque;
    if (lvl && !level[line])
        rises[line]++;
    level[line] = lvl;
}

static struct irq_bus irqs = {irq_record, NULL};

static void on_a20(void *opaque, bool on)
{
    (void)opaque;
    a20_calls++;
    a20_state = on;
}

static void on_reset(void *opaque)
{
    (void)opaque;
    reset_calls++;
}

static void setup(void)
{
    io_init(&io);
    for (int i = 0; i < 16; i++)
        level[i] = rises[i] = 0;
    a20_calls = a20_state = reset_calls = 0;
    ck_assert_int_eq(i8042_init(&kbc, &io, &irqs, NULL, on_a20, on_reset, NULL), 0);
}

static uint8_t status(void)
{
    return (uint8_t)io_read(&io, 0x64, 1);
}

static uint8_t data(void)
{
    return (uint8_t)io_read(&io, 0x60, 1);
}

static void cmd(uint8_t c)
{
    io_write(&io, 0x64, c, 1);
}

static void put(uint8_t v)
{
    io_write(&io, 0x60, v, 1);
}

/* Reads one byte, checking first that OBF says there is one. */
static uint8_t get(void)
{
    ck_assert_msg(status() & 0x01, "output buffer empty");
    return data();
}

static void write_command_byte(uint8_t v)
{
    cmd(0x60);
    put(v);
}

START_TEST(test_self_test_answers_55)
{
    /* [HelpPC] command AA: "Self Test: diagnostic result placed at port 60h, 55h=OK". */
    cmd(0xAA);
    ck_assert_uint_eq(get(), 0x55);
    /* [aeb] §10: status bit 2, the system flag, is set after a successful self test. */
    ck_assert_uint_eq(status() & 0x04, 0x04);
    ck_assert_uint_eq(status() & 0x01, 0);
    /* [HelpPC] AB: keyboard interface test, 00 = no error; [aeb] §11 A9: mouse test, 00 = OK. */
    cmd(0xAB);
    ck_assert_uint_eq(get(), 0x00);
    cmd(0xA9);
    ck_assert_uint_eq(get(), 0x00);
}
END_TEST

START_TEST(test_command_byte_reads_back_what_was_written)
{
    /* [HelpPC] 20: read command byte; 60: the next byte on port 60h is the command byte. */
    write_command_byte(0x65);
    cmd(0x20);
    ck_assert_uint_eq(get(), 0x65);
    /* [aeb] §11: command byte bit 2 is the system flag shown in status bit 2. */
    ck_assert_uint_eq(status() & 0x04, 0x04);
    /* [HelpPC] status bit 3: 1 after a write to 64h (command), 0 after a write to 60h. */
    cmd(0x20);
    ck_assert_uint_eq(status() & 0x08, 0x08);
    data();
    write_command_byte(0x41);
    ck_assert_uint_eq(status() & 0x08, 0);
    ck_assert_uint_eq(status() & 0x04, 0);
    /* [aeb] §11: A7/A8 set/clear bit 5 (mouse disabled), AD/AE set/clear bit 4. */
    cmd(0xA7);
    cmd(0xAD);
    cmd(0x20);
    ck_assert_uint_eq(get(), 0x41 | 0x20 | 0x10);
    cmd(0xA8);
    cmd(0xAE);
    cmd(0x20);
    ck_assert_uint_eq(get(), 0x41);
}
END_TEST

START_TEST(test_write_output_port_d1_drives_a20)
{
    /* [aeb] §11 D1: the next byte is written to the output port; bit 1 is the A20 gate, bit 0
     * the reset line (0 = reset). SeaBIOS and DOS HIMEM write DD (A20 off) and DF (A20 on). */
    cmd(0xD1);
    put(0xDD);
    ck_assert_int_eq(a20_calls, 1);
    ck_assert_int_eq(a20_state, 0);
    cmd(0xD0);
    ck_assert_uint_eq(get() & 0x03, 0x01);
    cmd(0xD1);
    put(0xDF);
    ck_assert_int_eq(a20_calls, 2);
    ck_assert_int_eq(a20_state, 1);
    cmd(0xD0);
    ck_assert_uint_eq(get() & 0x03, 0x03);
    ck_assert_int_eq(reset_calls, 0);
}
END_TEST

START_TEST(test_pulse_fe_resets_the_cpu)
{
    /* [HelpPC] F0-FF: pulse output port bits 0-3 that are 0 in the command; FE pulses bit 0,
     * the system reset. FF pulses nothing. */
    cmd(0xFF);
    ck_assert_int_eq(reset_calls, 0);
    cmd(0xFE);
    ck_assert_int_eq(reset_calls, 1);
    /* [aeb] §11: writing the output port with bit 0 clear also resets. */
    cmd(0xD1);
    put(0xDE);
    ck_assert_int_eq(reset_calls, 2);
}
END_TEST

START_TEST(test_keyboard_reset_answers_fa_aa)
{
    /* [CE-kbd] FF: "Keyboard responds with 'ack' (0xFA) and enters 'Reset' mode", then the
     * self test result AA. */
    put(0xFF);
    ck_assert_uint_eq(get(), 0xFA);
    ck_assert_uint_eq(get(), 0xAA);
    ck_assert_uint_eq(status() & 0x01, 0);
    /* [CE-kbd] F2: ack, then the ID AB 83. EE: echo answers EE. Unknown: FE, resend. */
    put(0xF2);
    ck_assert_uint_eq(get(), 0xFA);
    ck_assert_uint_eq(get(), 0xAB);
    ck_assert_uint_eq(get(), 0x83);
    put(0xEE);
    ck_assert_uint_eq(get(), 0xEE);
    put(0xD7);
    ck_assert_uint_eq(get(), 0xFE);
    /* [CE-kbd] ED and F3 take an argument, each acknowledged. */
    put(0xED);
    ck_assert_uint_eq(get(), 0xFA);
    put(0x07);
    ck_assert_uint_eq(get(), 0xFA);
    ck_assert_uint_eq(kbc.kbd_leds, 7);
    put(0xF3);
    ck_assert_uint_eq(get(), 0xFA);
    put(0x20);
    ck_assert_uint_eq(get(), 0xFA);
}
END_TEST

START_TEST(test_scancode_set_query_and_select)
{
    /* [aeb] §12 F0: argument 0 reports the current set (ack, then 1/2/3); 1-3 select it. The
     * keyboard powers up in set 2. */
    put(0xF0);
    ck_assert_uint_eq(get(), 0xFA);
    put(0x00);
    ck_assert_uint_eq(get(), 0xFA);
    ck_assert_uint_eq(get(), 0x02);
    put(0xF0);
    ck_assert_uint_eq(get(), 0xFA);
    put(0x01);
    ck_assert_uint_eq(get(), 0xFA);
    put(0xF0);
    get();
    put(0x00);
    ck_assert_uint_eq(get(), 0xFA);
    ck_assert_uint_eq(get(), 0x01);
    /* In set 1 the keyboard itself sends set 1 codes: [set2] "A" make 1E, break 9E. */
    const uint8_t a_make[] = {0x1C}, a_break[] = {0xF0, 0x1C};
    i8042_key_scancodes(&kbc, a_make, 1);
    ck_assert_uint_eq(get(), 0x1E);
    i8042_key_scancodes(&kbc, a_break, 2);
    ck_assert_uint_eq(get(), 0x9E);
}
END_TEST

START_TEST(test_translated_set_query_reply_is_translated)
{
    /* [aeb] §10 and 86Box's kbc_at.c: the 8042 translates every byte from the keyboard, replies
     * included, so with bit 6 set the set number 2 arrives as table[2] = 41 and the ID AB 83 as
     * AB 41 (the 0xab41 Linux' atkbd recognises as a translated MF2 keyboard). */
    write_command_byte(0x41);
    put(0xF0);
    ck_assert_uint_eq(get(), 0xFA);
    put(0x00);
    ck_assert_uint_eq(get(), 0xFA);
    ck_assert_uint_eq(get(), 0x41);
    put(0xF2);
    ck_assert_uint_eq(get(), 0xFA);
    ck_assert_uint_eq(get(), 0xAB);
    ck_assert_uint_eq(get(), 0x41);
}
END_TEST

START_TEST(test_translation_turns_set2_into_set1)
{
    /* [aeb] §10: with command byte bit 6 the controller maps set 2 codes to set 1 and turns
     * "F0 xx" into one byte, translate(xx) | 80. [set2] "A": set 2 1C / F0 1C = set 1 1E / 9E. */
    write_command_byte(0x41);
    i8042_key(&kbc, 0x1C, true);
    ck_assert_uint_eq(get(), 0x1E);
    ck_assert_uint_eq(status() & 0x01, 0);
    i8042_key(&kbc, 0x1C, false);
    ck_assert_uint_eq(get(), 0x9E);
    ck_assert_uint_eq(status() & 0x01, 0);
    /* [set2] Up arrow: set 2 E0 75 / E0 F0 75 = set 1 E0 48 / E0 C8. */
    i8042_key(&kbc, I8042_KEY_E0 | 0x75, true);
    ck_assert_uint_eq(get(), 0xE0);
    ck_assert_uint_eq(get(), 0x48);
    i8042_key(&kbc, I8042_KEY_E0 | 0x75, false);
    ck_assert_uint_eq(get(), 0xE0);
    ck_assert_uint_eq(get(), 0xC8);
    /* Without translation the set 2 bytes pass as they are. */
    write_command_byte(0x01);
    i8042_key(&kbc, 0x1C, false);
    ck_assert_uint_eq(get(), 0xF0);
    ck_assert_uint_eq(get(), 0x1C);
}
END_TEST

START_TEST(test_irq1_rises_with_a_byte_and_falls_when_read)
{
    /* [aeb] §11: command byte bit 0 enables IRQ 1 on "output buffer full" with keyboard data;
     * reading port 60h empties the buffer ([HelpPC] status bit 0). One edge per byte. */
    write_command_byte(0x01);
    ck_assert_int_eq(level[1], 0);
    const uint8_t a_break[] = {0xF0, 0x1C};
    i8042_key_scancodes(&kbc, a_break, 2);
    ck_assert_int_eq(level[1], 1);
    ck_assert_int_eq(rises[1], 1);
    ck_assert_uint_eq(data(), 0xF0);
    /* The second byte moves into the buffer: the line went low and rose again. */
    ck_assert_int_eq(rises[1], 2);
    ck_assert_int_eq(level[1], 1);
    ck_assert_uint_eq(data(), 0x1C);
    ck_assert_int_eq(level[1], 0);
    ck_assert_uint_eq(status() & 0x01, 0);
    ck_assert_int_eq(level[12], 0);
    /* With bit 0 clear the byte arrives but no interrupt. */
    write_command_byte(0x00);
    i8042_key(&kbc, 0x1C, true);
    ck_assert_uint_eq(status() & 0x01, 0x01);
    ck_assert_int_eq(level[1], 0);
    ck_assert_uint_eq(data(), 0x1C);
}
END_TEST

START_TEST(test_mouse_reports_movement_packets_on_irq12)
{
    /* [aeb] §11: bit 1 enables IRQ 12 for mouse data, A8 enables the mouse interface, D4 sends
     * the next byte to the mouse; [HelpPC]/[aeb] status bit 5 marks a byte from the mouse. */
    write_command_byte(0x03);
    cmd(0xA8);
    cmd(0xD4);
    put(0xFF);
    /* [CE-mouse] FF: ack, self test passed AA, ID 00. */
    ck_assert_int_eq(level[12], 1);
    ck_assert_uint_eq(status() & 0x21, 0x21);
    ck_assert_uint_eq(data(), 0xFA);
    ck_assert_uint_eq(get(), 0xAA);
    ck_assert_uint_eq(get(), 0x00);
    ck_assert_int_eq(level[12], 0);
    ck_assert_int_eq(rises[1], 0);
    /* Reporting is off after reset: motion sends nothing. */
    i8042_mouse(&kbc, 5, 5, 0);
    ck_assert_uint_eq(status() & 0x01, 0);
    cmd(0xD4);
    put(0xF4);
    ck_assert_uint_eq(get(), 0xFA);
    int before = rises[12];
    /* [CE-mouse] packet: byte 0 = Yovf Xovf Ysign Xsign 1 M R L, then X and Y (9-bit two's
     * complement with the sign bits). Right 5, down 3, left button held: 29 05 FD. */
    i8042_mouse(&kbc, 5, -3, 1);
    ck_assert_int_eq(rises[12], before + 1);
    ck_assert_uint_eq(status() & 0x20, 0x20);
    ck_assert_uint_eq(get(), 0x29);
    ck_assert_uint_eq(get(), 0x05);
    ck_assert_uint_eq(get(), 0xFD);
    ck_assert_int_eq(level[12], 0);
    /* An X count beyond 255 sets X overflow (bit 6). */
    i8042_mouse(&kbc, 300, 0, 0);
    ck_assert_uint_eq(get() & 0x40, 0x40);
    get();
    get();
    /* [CE-mouse] F2 answers ID 00; rates 200, 100, 80 make an IntelliMouse, ID 03. */
    static const uint8_t knock[] = {200, 100, 80};
    for (int i = 0; i < 3; i++) {
        cmd(0xD4);
        put(0xF3);
        ck_assert_uint_eq(get(), 0xFA);
        cmd(0xD4);
        put(knock[i]);
        ck_assert_uint_eq(get(), 0xFA);
    }
    cmd(0xD4);
    put(0xF2);
    ck_assert_uint_eq(get(), 0xFA);
    ck_assert_uint_eq(get(), 0x03);
    /* [CE-mouse] E9 status: ack, then mode byte (bit 5 reporting), resolution, rate 80. */
    cmd(0xD4);
    put(0xE9);
    ck_assert_uint_eq(get(), 0xFA);
    ck_assert_uint_eq(get(), 0x20);
    ck_assert_uint_eq(get(), 0x02);
    ck_assert_uint_eq(get(), 80);
}
END_TEST

START_TEST(test_aux_loopback_d3_looks_like_mouse_data)
{
    /* [aeb] §11 D3: the next byte appears in the output buffer as if the mouse had sent it
     * (Linux' i8042 probes the AUX port this way and expects IRQ 12). */
    write_command_byte(0x03);
    cmd(0xD3);
    put(0x5A);
    ck_assert_int_eq(level[12], 1);
    ck_assert_uint_eq(status() & 0x21, 0x21);
    ck_assert_uint_eq(data(), 0x5A);
    ck_assert_int_eq(level[12], 0);
}
END_TEST

START_TEST(test_disabled_keyboard_holds_keys_back)
{
    /* [aeb] §11 AD: disables the keyboard interface (clock held low): the keyboard keeps its
     * bytes until AE enables it again. */
    write_command_byte(0x01);
    cmd(0xAD);
    i8042_key(&kbc, 0x1C, true);
    ck_assert_uint_eq(status() & 0x01, 0);
    ck_assert_int_eq(level[1], 0);
    cmd(0xAE);
    ck_assert_int_eq(level[1], 1);
    ck_assert_uint_eq(get(), 0x1C);
    /* [CE-kbd] F5: the keyboard stops scanning, keys are lost; F4 starts it again. */
    put(0xF5);
    ck_assert_uint_eq(get(), 0xFA);
    i8042_key(&kbc, 0x1C, true);
    ck_assert_uint_eq(status() & 0x01, 0);
    put(0xF4);
    ck_assert_uint_eq(get(), 0xFA);
    i8042_key(&kbc, 0x1C, true);
    ck_assert_uint_eq(get(), 0x1C);
}
END_TEST

START_TEST(test_controller_reply_goes_before_queued_key_bytes)
{
    /* [HelpPC] port 64h: a command that returns data puts it in the output register. The
     * byte already in the buffer stays there, but the reply goes ahead of key bytes still
     * waiting in the keyboard (set 2 up-arrow break, E0 F0 75, no translation). */
    write_command_byte(0x00);
    i8042_key(&kbc, I8042_KEY_E0 | 0x75, false);
    ck_assert_uint_eq(get(), 0xE0);
    cmd(0x20);
    ck_assert_uint_eq(get(), 0xF0);   /* already in the buffer when the command came */
    ck_assert_uint_eq(get(), 0x00);   /* the command byte */
    ck_assert_uint_eq(get(), 0x75);
    ck_assert_uint_eq(status() & 0x01, 0);
}
END_TEST

START_TEST(test_board_reset_restores_power_on_state)
{
    /* i8042.h: i8042_reset() is the power-on state (command byte 03, output port reset and A20
     * high, as QEMU's controller starts) and lowers a raised line. */
    cmd(0xD1);
    put(0xDD);
    write_command_byte(0x41);
    i8042_key(&kbc, 0x1C, true);
    ck_assert_int_eq(level[1], 1);
    i8042_reset(&kbc);
    ck_assert_int_eq(level[1], 0);
    ck_assert_uint_eq(status() & 0x01, 0);
    cmd(0x20);
    ck_assert_uint_eq(get(), 0x03);
    cmd(0xD0);
    ck_assert_uint_eq(get() & 0x03, 0x03);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("i8042");
    TCase *tc = tcase_create("i8042");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_self_test_answers_55);
    tcase_add_test(tc, test_command_byte_reads_back_what_was_written);
    tcase_add_test(tc, test_write_output_port_d1_drives_a20);
    tcase_add_test(tc, test_pulse_fe_resets_the_cpu);
    tcase_add_test(tc, test_keyboard_reset_answers_fa_aa);
    tcase_add_test(tc, test_scancode_set_query_and_select);
    tcase_add_test(tc, test_translated_set_query_reply_is_translated);
    tcase_add_test(tc, test_translation_turns_set2_into_set1);
    tcase_add_test(tc, test_irq1_rises_with_a_byte_and_falls_when_read);
    tcase_add_test(tc, test_mouse_reports_movement_packets_on_irq12);
    tcase_add_test(tc, test_aux_loopback_d3_looks_like_mouse_data);
    tcase_add_test(tc, test_disabled_keyboard_holds_keys_back);
    tcase_add_test(tc, test_controller_reply_goes_before_queued_key_bytes);
    tcase_add_test(tc, test_board_reset_restores_power_on_state);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
