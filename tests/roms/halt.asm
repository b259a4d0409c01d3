; halt: not a self-checking test: HLT with IF=0 must end the run with a one-line error and exit
; status 3 (tests/roms/README.md); run through expect_fail.sh --status 3.
%include "lib.inc"
TEST_BEGIN "halt"
    cli
    hlt
    FAIL "execution went on after HLT with IF=0"
TEST_END
