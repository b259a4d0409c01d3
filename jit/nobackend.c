/* Hosts without a JIT backend: jit_available() is false and nothing calls this. */
#include "backend.h"

size_t backend_emit(const struct ir_block *b, const uint32_t *gen_ptr, uint8_t *buf, size_t cap,
                    const uint8_t *exec, struct backend_counts *counts)
{
    (void)b; (void)gen_ptr; (void)buf; (void)cap; (void)exec; (void)counts;
    return 0;
}
