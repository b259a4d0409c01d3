/* Hosts without a JIT backend: jit_available() is false and nothing calls these. */
#include "backend.h"

size_t backend_emit(const struct ir_block *b, const uint32_t *gen_ptr, uint32_t id, uint8_t *buf,
                    size_t cap, const uint8_t *exec, const struct backend_env *env,
                    struct backend_result *res)
{
    (void)b; (void)gen_ptr; (void)id; (void)buf; (void)cap; (void)exec; (void)env; (void)res;
    return 0;
}

void backend_patch_slot(uint8_t *rel, const uint8_t *rel_exec, const uint8_t *target)
{
    (void)rel; (void)rel_exec; (void)target;
}
