; exitcode: not a self-checking test: the byte written to port 0xF4 becomes jitpc's exit status
; (here 42, and nothing on stderr); run through expect_fail.sh --status 42 --lines 0.
%include "lib.inc"
TEST_BEGIN "exitcode"
    mov al, 42
    out EXIT_PORT, al
    FAIL "execution went on after the exit port"
TEST_END
