/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the field table (compiler/fields.def).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "types.h"

static void test_names_unique_and_typed(void **state)
{
	(void)state;
	for (int i = 0; i < FLD__COUNT; i++) {
		assert_non_null(field_table[i].name);
		assert_true(field_table[i].type != FT_NONE);
		for (int j = i + 1; j < FLD__COUNT; j++)
			assert_string_not_equal(field_table[i].name, field_table[j].name);
	}
}

static void test_known_types(void **state)
{
	(void)state;
	assert_int_equal(field_table[FLD_PROC_NAME].type, FT_CHARBUF);
	assert_string_equal(field_table[FLD_PROC_NAME].name, "proc.name");
	assert_int_equal(field_table[FLD_FD_SPORT].type, FT_PORT);
	assert_true(field_table[FLD_PROC_ANAME].flags & FF_ANCESTOR);
	assert_string_equal(ft_type_name(FT_IPNET), "IPNET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_unique_and_typed),
		cmocka_unit_test(test_known_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
