/*-------------------------------------------------------------------------
 * numeric_variance.c
 *	  The coordinator's final step of numeric and integer variance and
 *	  standard deviation combined from per-shard partial sums.
 *
 * Each shard returns count(x), sum(x::numeric) and sum(x::numeric *
 * x::numeric) of its rows; the coordinator sums them exactly (numeric
 * sums keep the largest display scale of their inputs, as PostgreSQL's
 * own accumulators do) and shard.numeric_variance_final repeats the
 * arithmetic of PostgreSQL 15's numeric_stddev_internal through the
 * public numeric functions:
 *
 *	- no rows (or one, for the sample forms): NULL; a NaN or an infinity
 *	  among the inputs (the sum of squares is then NaN or infinite): NaN;
 *	- numerator N * Sxx - Sx * Sx, exact (scale 2 * scale(Sx), as there);
 *	  zero or less: 0;
 *	- variance: numerator / (N * (N - 1)) or / (N * N) by numeric_div,
 *	  whose scale rule (select_div_scale) and rounding are those of the
 *	  internal division;
 *	- standard deviation: the square root of that quotient rounded half
 *	  away from zero at the quotient's scale, as sqrt_var does: computed
 *	  here as the exact integer square root of quotient * 10^(2s+2), then
 *	  rounded to s digits.
 *
 * Results are therefore identical to one server's, display scale included.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

static Numeric NumericPowerOfTen(int exponent);
static Datum NumericMul(Datum a, Datum b);
static int	NumericCmp(Datum a, Datum b);
static Datum RoundedSquareRoot(Datum quotient);

PG_FUNCTION_INFO_V1(shard_numeric_variance_final);

/*
 * NumericPowerOfTen returns 10^exponent with display scale -exponent for
 * negative exponents (exact).
 */
static Numeric
NumericPowerOfTen(int exponent)
{
	char		text[32];

	snprintf(text, sizeof(text), "1e%d", exponent);
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(text),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/*
 * NumericMul returns a * b, exact (scale of a plus scale of b).
 */
static Datum
NumericMul(Datum a, Datum b)
{
	return DirectFunctionCall2(numeric_mul, a, b);
}

/*
 * NumericCmp returns the sign of a - b.
 */
static int
NumericCmp(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

/*
 * RoundedSquareRoot returns sqrt(quotient) rounded half away from zero at
 * the quotient's display scale s (quotient > 0): the integer square root
 * of quotient * 10^(2s + 2) has s + 1 exact digits after the point, and
 * rounding it at s digits rounds the exact root.
 */
static Datum
RoundedSquareRoot(Datum quotient)
{
	int			scale = DatumGetInt32(DirectFunctionCall1(numeric_scale, quotient));
	Datum		one = NumericGetDatum(int64_to_numeric(1));
	Datum		scaled;
	Datum		root;
	Datum		next;

	scaled = NumericMul(quotient, NumericGetDatum(NumericPowerOfTen(2 * scale + 2)));
	scaled = DirectFunctionCall2(numeric_trunc, scaled, Int32GetDatum(0));

	/* an estimate, then the exact floor of the square root */
	root = DirectFunctionCall2(numeric_trunc, DirectFunctionCall1(numeric_sqrt, scaled),
							   Int32GetDatum(0));
	while (NumericCmp(NumericMul(root, root), scaled) > 0)
		root = DirectFunctionCall2(numeric_sub, root, one);
	for (;;)
	{
		next = DirectFunctionCall2(numeric_add, root, one);
		if (NumericCmp(NumericMul(next, next), scaled) > 0)
			break;
		root = next;
	}

	root = NumericMul(root, NumericGetDatum(NumericPowerOfTen(-(scale + 1))));
	return DirectFunctionCall2(numeric_round, root, Int32GetDatum(scale));
}

/*
 * shard_numeric_variance_final(count bigint, sum numeric, sum_of_squares
 * numeric, sample boolean, root boolean) returns var_samp/var_pop (root
 * false) or stddev_samp/stddev_pop (root true) of the rows the sums
 * describe, exactly as PostgreSQL computes them; NULL without rows.
 */
Datum
shard_numeric_variance_final(PG_FUNCTION_ARGS)
{
	int64		count = PG_ARGISNULL(0) ? 0 : PG_GETARG_INT64(0);
	bool		sample = PG_GETARG_BOOL(3);
	bool		root = PG_GETARG_BOOL(4);
	Datum		sumX;
	Datum		sumX2;
	Datum		n;
	Datum		numerator;
	Datum		denominator;
	Datum		quotient;

	if (count == 0 || (sample && count <= 1))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		elog(ERROR, "numeric variance sums are missing for %lld rows", (long long) count);
	sumX = PG_GETARG_DATUM(1);
	sumX2 = PG_GETARG_DATUM(2);

	/* a NaN or an infinity among the inputs makes the sum of squares one */
	if (numeric_is_nan(DatumGetNumeric(sumX2)) || numeric_is_inf(DatumGetNumeric(sumX2)) ||
		numeric_is_nan(DatumGetNumeric(sumX)) || numeric_is_inf(DatumGetNumeric(sumX)))
		PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum("NaN"),
											ObjectIdGetDatum(InvalidOid),
											Int32GetDatum(-1)));

	n = NumericGetDatum(int64_to_numeric(count));
	numerator = DirectFunctionCall2(numeric_sub, NumericMul(n, sumX2),
									NumericMul(sumX, sumX));
	if (NumericCmp(numerator, NumericGetDatum(int64_to_numeric(0))) <= 0)
		PG_RETURN_NUMERIC(int64_to_numeric(0));

	denominator = NumericMul(n, sample ? NumericGetDatum(int64_to_numeric(count - 1)) : n);
	quotient = DirectFunctionCall2(numeric_div, numerator, denominator);
	if (!root)
		PG_RETURN_DATUM(quotient);
	PG_RETURN_DATUM(RoundedSquareRoot(quotient));
}
