/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "common/macros.h"
#include "relay-internal.h"

static const struct relay_backend_ops *const relay_backends[] = {
        &relay_backend_modbus_tcp,
        &relay_backend_modbus_rtu,
        &relay_backend_gpio,
};

const struct relay_backend_ops *relay_backend_find(const char *kind) {
        if (!kind)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(relay_backends); i++)
                if (strcmp(relay_backends[i]->kind, kind) == 0)
                        return relay_backends[i];
        return NULL;
}
