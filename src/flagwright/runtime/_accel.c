/* flagwright.runtime._accel: the optional compiled evaluator of specialised flags.
 *
 * A flag's program is built in Python by accel.py from the same compiled pieces the generated
 * Python of specialise.py is built from, and it keeps that code's semantics step by step: the
 * same attribute reads (ctx.get), the same type tests, the same comparisons, the same hash input
 * (UTF-8 of flag key + value, murmur3 x86 32-bit, seed 0, as mmh3.hash), the same thresholds.
 * What it cannot do itself (reference conditions, another rule's hash input, prerequisites) it
 * calls in Python. Any exception propagates, and the caller then takes the reference evaluator,
 * exactly as it does when the generated Python raises. An evaluation allocates nothing but the
 * hash input of a long bucket value, a group's answer dict and its counters' new ints.
 *
 * Flag(program)(ctx, now) -> Outcome;  Group(entries, whole)(ctx, now[, result]) -> dict | None.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>
#include <string.h>

enum {
    C_TRUE = 0, C_FALSE, C_STARTS, C_ENDS, C_CONTAINS, C_EQ, C_NE, C_IN, C_NOT_IN, C_CMP,
    C_SEMVER, C_NOT, C_ALL, C_ANY, C_CALL
};
enum { FALL_OUTCOME = 0, FALL_SPLIT, FALL_STAGED };

typedef struct Cond {
    int op;
    int cmp;              /* C_CMP: Py_LT, Py_LE, Py_GT or Py_GE */
    PyObject *attr;       /* borrowed: the program tuple holds every object */
    PyObject *a;
    PyObject *b;
    Py_ssize_t n;
    struct Cond *kids;
} Cond;

typedef struct {
    Py_ssize_t n;
    uint64_t *limits;
    PyObject **outcomes;
    PyObject *no_bucket;
} Split;

typedef struct {
    Cond cond;
    PyObject *outcome;    /* NULL: the rule serves its split */
    Split split;
} Rule;

typedef struct {
    PyObject *fast;
    PyObject *variant;
    PyObject *blocked;
} Prereq;

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *program;
    Py_ssize_t nprereqs;
    Prereq *prereqs;
    Py_ssize_t nrules;
    Rule *rules;
    int fall_kind;
    PyObject *fall_outcome;
    Split fall_split;
    PyObject *starts;     /* FALL_STAGED: a tuple of stage start times */
    Py_ssize_t nstages;
    Split *stages;
    PyObject *fall_no_bucket;
    PyObject *bucket_by;
    PyObject *prefix;
    const char *prefix_utf8;
    Py_ssize_t prefix_len;
    PyObject *hash_of;
    int text_prefix;
} FlagObject;

static PyObject *str_get, *str_startswith, *str_endswith, *str_evaluation, *str_variant;
static PyTypeObject *outcome_type;  /* set by configure(): every served object is one */
static Py_ssize_t hits_offset = -1, evaluation_offset = -1;
static PyTypeObject FlagType;

/* murmur3 x86 32-bit, byte order fixed (little-endian blocks), as flagd and mmh3 hash. */
static inline uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static uint32_t murmur3_32(const unsigned char *data, Py_ssize_t len, uint32_t seed)
{
    const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
    uint32_t h = seed, k;
    Py_ssize_t blocks = len / 4, i;
    for (i = 0; i < blocks; i++) {
        const unsigned char *p = data + 4 * i;
        k = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
        k *= c1; k = rotl32(k, 15); k *= c2;
        h ^= k; h = rotl32(h, 13); h = h * 5 + 0xe6546b64;
    }
    const unsigned char *tail = data + 4 * blocks;
    k = 0;
    switch (len & 3) {
    case 3: k ^= (uint32_t)tail[2] << 16; /* fall through */
    case 2: k ^= (uint32_t)tail[1] << 8;  /* fall through */
    case 1: k ^= tail[0]; k *= c1; k = rotl32(k, 15); k *= c2; h ^= k;
    }
    h ^= (uint32_t)len;
    h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16;
    return h;
}

/* ---------------------------------------------------------------- building a program */

static int bad(const char *what)
{
    PyErr_Format(PyExc_TypeError, "flagwright accelerator: malformed %s", what);
    return -1;
}

static int tuple_of(PyObject *o, Py_ssize_t size, const char *what)
{
    if (!PyTuple_CheckExact(o) || (size >= 0 && PyTuple_GET_SIZE(o) != size))
        return bad(what);
    return 0;
}

static int is_outcome(PyObject *o)
{
    if (Py_TYPE(o) != outcome_type)
        return bad("outcome");
    return 0;
}

static void free_cond(Cond *c)
{
    if (c->kids != NULL) {
        for (Py_ssize_t i = 0; i < c->n; i++)
            free_cond(&c->kids[i]);
        PyMem_Free(c->kids);
        c->kids = NULL;
    }
}

static int build_cond(Cond *c, PyObject *t, int depth)
{
    memset(c, 0, sizeof(*c));
    if (depth > 200)
        return bad("condition (too deep)");
    if (!PyTuple_CheckExact(t) || PyTuple_GET_SIZE(t) < 1 || !PyLong_CheckExact(PyTuple_GET_ITEM(t, 0)))
        return bad("condition");
    long op = PyLong_AsLong(PyTuple_GET_ITEM(t, 0));
    Py_ssize_t size = PyTuple_GET_SIZE(t);
    c->op = (int)op;
    switch (op) {
    case C_TRUE: case C_FALSE:
        return size == 1 ? 0 : bad("constant");
    case C_STARTS: case C_ENDS: case C_CONTAINS: case C_EQ: case C_NE:
        if (size != 3 || !PyUnicode_CheckExact(PyTuple_GET_ITEM(t, 2)))
            return bad("string test");
        c->attr = PyTuple_GET_ITEM(t, 1);
        c->a = PyTuple_GET_ITEM(t, 2);
        return 0;
    case C_IN:
        if (size != 4 || !PyFrozenSet_CheckExact(PyTuple_GET_ITEM(t, 2)))
            return bad("membership");
        c->attr = PyTuple_GET_ITEM(t, 1);
        c->a = PyTuple_GET_ITEM(t, 2);
        c->b = PyTuple_GET_ITEM(t, 3);
        return 0;
    case C_NOT_IN:
        if (size != 3)
            return bad("membership");
        c->attr = PyTuple_GET_ITEM(t, 1);
        c->b = PyTuple_GET_ITEM(t, 2);
        return 0;
    case C_CMP: {
        if (size != 5 || !PyLong_CheckExact(PyTuple_GET_ITEM(t, 2)))
            return bad("comparison");
        long cmp = PyLong_AsLong(PyTuple_GET_ITEM(t, 2));
        if (cmp != Py_LT && cmp != Py_LE && cmp != Py_GT && cmp != Py_GE)
            return bad("comparison");
        c->cmp = (int)cmp;
        c->attr = PyTuple_GET_ITEM(t, 1);
        c->a = PyTuple_GET_ITEM(t, 3);
        c->b = PyTuple_GET_ITEM(t, 4);  /* is_number */
        return 0;
    }
    case C_SEMVER:
        if (size != 4 || !PyDict_CheckExact(PyTuple_GET_ITEM(t, 2)))
            return bad("version test");
        c->attr = PyTuple_GET_ITEM(t, 1);
        c->a = PyTuple_GET_ITEM(t, 2);  /* the answers remembered per version string */
        c->b = PyTuple_GET_ITEM(t, 3);  /* decide(value) */
        return 0;
    case C_NOT:
        if (size != 2)
            return bad("not");
        c->n = 1;
        c->kids = PyMem_Calloc(1, sizeof(Cond));
        if (c->kids == NULL) { PyErr_NoMemory(); return -1; }
        return build_cond(&c->kids[0], PyTuple_GET_ITEM(t, 1), depth + 1);
    case C_ALL: case C_ANY: {
        PyObject *items = size == 2 ? PyTuple_GET_ITEM(t, 1) : NULL;
        if (items == NULL || tuple_of(items, -1, "all/any") < 0)
            return bad("all/any");
        c->n = PyTuple_GET_SIZE(items);
        c->kids = PyMem_Calloc(c->n ? c->n : 1, sizeof(Cond));
        if (c->kids == NULL) { PyErr_NoMemory(); return -1; }
        for (Py_ssize_t i = 0; i < c->n; i++)
            if (build_cond(&c->kids[i], PyTuple_GET_ITEM(items, i), depth + 1) < 0)
                return -1;
        return 0;
    }
    case C_CALL:
        if (size != 2 || !PyCallable_Check(PyTuple_GET_ITEM(t, 1)))
            return bad("reference condition");
        c->a = PyTuple_GET_ITEM(t, 1);
        return 0;
    }
    return bad("condition operator");
}

static int build_split(Split *s, PyObject *t)
{
    memset(s, 0, sizeof(*s));
    if (tuple_of(t, 3, "split") < 0)
        return -1;
    PyObject *limits = PyTuple_GET_ITEM(t, 0), *outcomes = PyTuple_GET_ITEM(t, 1);
    if (tuple_of(limits, -1, "split limits") < 0 || tuple_of(outcomes, -1, "split outcomes") < 0)
        return -1;
    s->n = PyTuple_GET_SIZE(limits);
    if (s->n < 1 || PyTuple_GET_SIZE(outcomes) != s->n)
        return bad("split");
    s->limits = PyMem_Calloc(s->n, sizeof(uint64_t));
    s->outcomes = PyMem_Calloc(s->n, sizeof(PyObject *));
    if (s->limits == NULL || s->outcomes == NULL) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < s->n; i++) {
        unsigned long long limit = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(limits, i));
        if (limit == (unsigned long long)-1 && PyErr_Occurred())
            return -1;
        s->limits[i] = limit;
        s->outcomes[i] = PyTuple_GET_ITEM(outcomes, i);
        if (is_outcome(s->outcomes[i]) < 0)
            return -1;
    }
    if (s->limits[s->n - 1] < ((uint64_t)1 << 32))
        return bad("split (its last threshold must cover every hash)");
    s->no_bucket = PyTuple_GET_ITEM(t, 2);
    return is_outcome(s->no_bucket);
}

static void free_split(Split *s)
{
    PyMem_Free(s->limits);
    PyMem_Free(s->outcomes);
    s->limits = NULL;
    s->outcomes = NULL;
}

static void Flag_clear_parts(FlagObject *f)
{
    if (f->rules != NULL) {
        for (Py_ssize_t i = 0; i < f->nrules; i++) {
            free_cond(&f->rules[i].cond);
            free_split(&f->rules[i].split);
        }
        PyMem_Free(f->rules);
        f->rules = NULL;
    }
    PyMem_Free(f->prereqs);
    f->prereqs = NULL;
    free_split(&f->fall_split);
    if (f->stages != NULL) {
        for (Py_ssize_t i = 0; i < f->nstages; i++)
            free_split(&f->stages[i]);
        PyMem_Free(f->stages);
        f->stages = NULL;
    }
}

static PyObject *Flag_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kw);

/* program = (prereqs, rules, fall, hash); see accel.py for what each holds. */
static PyObject *Flag_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *program;
    if (outcome_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "flagwright accelerator: configure() first");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!:Flag", &PyTuple_Type, &program))
        return NULL;
    FlagObject *f = (FlagObject *)type->tp_alloc(type, 0);
    if (f == NULL)
        return NULL;
    f->vectorcall = Flag_vectorcall;
    Py_INCREF(program);
    f->program = program;
    if (tuple_of(program, 4, "program") < 0)
        goto fail;
    PyObject *prereqs = PyTuple_GET_ITEM(program, 0), *rules = PyTuple_GET_ITEM(program, 1);
    PyObject *fall = PyTuple_GET_ITEM(program, 2), *hash = PyTuple_GET_ITEM(program, 3);
    if (tuple_of(prereqs, -1, "prerequisites") < 0 || tuple_of(rules, -1, "rules") < 0)
        goto fail;
    f->nprereqs = PyTuple_GET_SIZE(prereqs);
    f->prereqs = PyMem_Calloc(f->nprereqs ? f->nprereqs : 1, sizeof(Prereq));
    f->nrules = PyTuple_GET_SIZE(rules);
    f->rules = PyMem_Calloc(f->nrules ? f->nrules : 1, sizeof(Rule));
    if (f->prereqs == NULL || f->rules == NULL) { PyErr_NoMemory(); goto fail; }
    for (Py_ssize_t i = 0; i < f->nprereqs; i++) {
        PyObject *p = PyTuple_GET_ITEM(prereqs, i);
        if (tuple_of(p, 3, "prerequisite") < 0)
            goto fail;
        f->prereqs[i].fast = PyTuple_GET_ITEM(p, 0);
        f->prereqs[i].variant = PyTuple_GET_ITEM(p, 1);
        f->prereqs[i].blocked = PyTuple_GET_ITEM(p, 2);
        if (is_outcome(f->prereqs[i].blocked) < 0)
            goto fail;
    }
    for (Py_ssize_t i = 0; i < f->nrules; i++) {
        PyObject *r = PyTuple_GET_ITEM(rules, i);
        if (tuple_of(r, 3, "rule") < 0 || build_cond(&f->rules[i].cond, PyTuple_GET_ITEM(r, 0), 0) < 0)
            goto fail;
        PyObject *outcome = PyTuple_GET_ITEM(r, 1);
        if (outcome != Py_None) {
            if (is_outcome(outcome) < 0)
                goto fail;
            f->rules[i].outcome = outcome;
        } else if (build_split(&f->rules[i].split, PyTuple_GET_ITEM(r, 2)) < 0) {
            goto fail;
        }
    }
    if (!PyTuple_CheckExact(fall) || PyTuple_GET_SIZE(fall) < 2 || !PyLong_CheckExact(PyTuple_GET_ITEM(fall, 0))) {
        bad("fallthrough");
        goto fail;
    }
    f->fall_kind = (int)PyLong_AsLong(PyTuple_GET_ITEM(fall, 0));
    if (f->fall_kind == FALL_OUTCOME && PyTuple_GET_SIZE(fall) == 2) {
        f->fall_outcome = PyTuple_GET_ITEM(fall, 1);
        if (is_outcome(f->fall_outcome) < 0)
            goto fail;
    } else if (f->fall_kind == FALL_SPLIT && PyTuple_GET_SIZE(fall) == 2) {
        if (build_split(&f->fall_split, PyTuple_GET_ITEM(fall, 1)) < 0)
            goto fail;
    } else if (f->fall_kind == FALL_STAGED && PyTuple_GET_SIZE(fall) == 4) {
        PyObject *stages = PyTuple_GET_ITEM(fall, 2);
        f->starts = PyTuple_GET_ITEM(fall, 1);
        f->fall_no_bucket = PyTuple_GET_ITEM(fall, 3);
        if (tuple_of(f->starts, -1, "stage starts") < 0 || tuple_of(stages, -1, "stages") < 0)
            goto fail;
        f->nstages = PyTuple_GET_SIZE(stages);
        if (f->nstages != PyTuple_GET_SIZE(f->starts) + 1 || is_outcome(f->fall_no_bucket) < 0) {
            bad("stages");
            goto fail;
        }
        f->stages = PyMem_Calloc(f->nstages, sizeof(Split));
        if (f->stages == NULL) { PyErr_NoMemory(); goto fail; }
        for (Py_ssize_t i = 0; i < f->nstages; i++)
            if (build_split(&f->stages[i], PyTuple_GET_ITEM(stages, i)) < 0)
                goto fail;
    } else {
        bad("fallthrough");
        goto fail;
    }
    if (tuple_of(hash, 4, "hash") < 0)
        goto fail;
    f->bucket_by = PyTuple_GET_ITEM(hash, 0);
    f->prefix = PyTuple_GET_ITEM(hash, 1);
    f->hash_of = PyTuple_GET_ITEM(hash, 2);
    f->text_prefix = PyObject_IsTrue(PyTuple_GET_ITEM(hash, 3));
    if (!PyUnicode_CheckExact(f->prefix) || !PyCallable_Check(f->hash_of) || f->text_prefix < 0) {
        if (!PyErr_Occurred())
            bad("hash");
        goto fail;
    }
    f->prefix_utf8 = PyUnicode_AsUTF8AndSize(f->prefix, &f->prefix_len);
    if (f->prefix_utf8 == NULL)
        goto fail;
    return (PyObject *)f;
fail:
    Py_DECREF(f);
    return NULL;
}

static int Flag_traverse(FlagObject *f, visitproc visit, void *arg)
{
    Py_VISIT(f->program);
    return 0;
}

static int Flag_clear(FlagObject *f)
{
    Py_CLEAR(f->program);
    return 0;
}

static void Flag_dealloc(FlagObject *f)
{
    PyObject_GC_UnTrack(f);
    Flag_clear_parts(f);
    Py_CLEAR(f->program);
    Py_TYPE(f)->tp_free((PyObject *)f);
}

/* ---------------------------------------------------------------- evaluating */

/* ctx.get(attr): a new reference (None when missing), or NULL with an exception. */
static PyObject *read_attr(PyObject *ctx, PyObject *attr)
{
    if (PyDict_CheckExact(ctx)) {
        PyObject *v = PyDict_GetItemWithError(ctx, attr);
        if (v != NULL)
            return Py_NewRef(v);
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    }
    return PyObject_CallMethodOneArg(ctx, str_get, attr);
}

/* ``v.__class__ is str or isinstance(v, str)`` */
static int is_text(PyObject *v)
{
    if (PyUnicode_CheckExact(v))
        return 1;
    if (v == Py_None || PyLong_CheckExact(v) || PyFloat_CheckExact(v) || PyBool_Check(v))
        return 0;
    return PyObject_IsInstance(v, (PyObject *)&PyUnicode_Type);
}

static int truth_of_call(PyObject *result)
{
    if (result == NULL)
        return -1;
    int r = PyObject_IsTrue(result);
    Py_DECREF(result);
    return r;
}

static int eval_cond(const Cond *c, PyObject *ctx, PyObject *now);

static int eval_attr(const Cond *c, PyObject *ctx)
{
    PyObject *v = read_attr(ctx, c->attr);
    if (v == NULL)
        return -1;
    int r = 0;
    switch (c->op) {
    case C_STARTS: case C_ENDS:
        if (PyUnicode_CheckExact(v)) {
            r = (int)PyUnicode_Tailmatch(v, c->a, 0, PY_SSIZE_T_MAX, c->op == C_ENDS ? 1 : -1);
        } else if ((r = is_text(v)) > 0) {
            PyObject *name = c->op == C_ENDS ? str_endswith : str_startswith;
            r = truth_of_call(PyObject_CallMethodOneArg(v, name, c->a));
        }
        break;
    case C_CONTAINS:
        if (PyUnicode_CheckExact(v))
            r = PyUnicode_Contains(v, c->a);
        else if ((r = is_text(v)) > 0)
            r = PySequence_Contains(v, c->a);
        break;
    case C_EQ:
        if ((r = is_text(v)) > 0)
            r = PyObject_RichCompareBool(v, c->a, Py_EQ);
        break;
    case C_NE:
        r = v == Py_None ? 0 : PyObject_RichCompareBool(v, c->a, Py_NE);
        break;
    case C_IN:
        if (PyUnicode_CheckExact(v))
            r = PySet_Contains(c->a, v);
        else
            r = v == Py_None ? 0 : PySequence_Contains(c->b, v);
        break;
    case C_NOT_IN:
        if (v != Py_None) {
            r = PySequence_Contains(c->b, v);
            r = r < 0 ? -1 : !r;
        }
        break;
    case C_CMP:
        if (PyLong_CheckExact(v) || PyFloat_CheckExact(v))
            r = 1;
        else
            r = truth_of_call(PyObject_CallOneArg(c->b, v));
        if (r > 0)
            r = PyObject_RichCompareBool(v, c->a, c->cmp);
        break;
    case C_SEMVER:
        if (PyUnicode_CheckExact(v)) {
            PyObject *known = PyDict_GetItemWithError(c->a, v);
            if (known != NULL) {
                r = PyObject_IsTrue(known);
                break;
            }
            if (PyErr_Occurred()) {
                r = -1;
                break;
            }
        }
        r = truth_of_call(PyObject_CallOneArg(c->b, v));
        break;
    }
    Py_DECREF(v);
    return r;
}

static int eval_cond(const Cond *c, PyObject *ctx, PyObject *now)
{
    switch (c->op) {
    case C_TRUE:
        return 1;
    case C_FALSE:
        return 0;
    case C_NOT: {
        int r = eval_cond(&c->kids[0], ctx, now);
        return r < 0 ? -1 : !r;
    }
    case C_ALL:
        for (Py_ssize_t i = 0; i < c->n; i++) {
            int r = eval_cond(&c->kids[i], ctx, now);
            if (r <= 0)
                return r;
        }
        return 1;
    case C_ANY:
        for (Py_ssize_t i = 0; i < c->n; i++) {
            int r = eval_cond(&c->kids[i], ctx, now);
            if (r != 0)
                return r;
        }
        return 0;
    case C_CALL: {
        PyObject *call[3] = {ctx, now, Py_None};
        return truth_of_call(PyObject_Vectorcall(c->a, call, 3, NULL));
    }
    }
    return eval_attr(c, ctx);
}

/* The bucket value's hash in *h: 1, no bucket: 0, error: -1. */
static int bucket_hash(const FlagObject *f, PyObject *ctx, uint64_t *h)
{
    PyObject *v = read_attr(ctx, f->bucket_by);
    if (v == NULL)
        return -1;
    if (f->text_prefix && PyUnicode_CheckExact(v) && PyUnicode_GET_LENGTH(v) > 0) {
        Py_ssize_t len;
        const char *text = PyUnicode_AsUTF8AndSize(v, &len);
        if (text == NULL) {
            Py_DECREF(v);
            return -1;
        }
        unsigned char local[256];
        Py_ssize_t total = f->prefix_len + len;
        unsigned char *buffer = total <= (Py_ssize_t)sizeof(local) ? local : PyMem_Malloc(total);
        if (buffer == NULL) {
            Py_DECREF(v);
            PyErr_NoMemory();
            return -1;
        }
        memcpy(buffer, f->prefix_utf8, f->prefix_len);
        memcpy(buffer + f->prefix_len, text, len);
        *h = murmur3_32(buffer, total, 0);
        if (buffer != local)
            PyMem_Free(buffer);
        Py_DECREF(v);
        return 1;
    }
    PyObject *call[3] = {f->prefix, f->bucket_by, v};
    PyObject *result = PyObject_Vectorcall(f->hash_of, call, 3, NULL);
    Py_DECREF(v);
    if (result == NULL)
        return -1;
    if (result == Py_None) {
        Py_DECREF(result);
        return 0;
    }
    unsigned long long value = PyLong_AsUnsignedLongLong(result);
    Py_DECREF(result);
    if (value == (unsigned long long)-1 && PyErr_Occurred())
        return -1;
    if (value >= ((unsigned long long)1 << 32)) {
        PyErr_SetString(PyExc_ValueError, "flagwright accelerator: hash out of range");
        return -1;
    }
    *h = value;
    return 1;
}

static PyObject *pick(const Split *s, uint64_t h)
{
    for (Py_ssize_t i = 0; i < s->n - 1; i++)
        if (h < s->limits[i])
            return s->outcomes[i];
    return s->outcomes[s->n - 1];
}

static PyObject *serve_split(const FlagObject *f, PyObject *ctx, const Split *s, PyObject *no_bucket)
{
    uint64_t h = 0;
    int found = bucket_hash(f, ctx, &h);
    if (found < 0)
        return NULL;
    return Py_NewRef(found ? pick(s, h) : no_bucket);
}

/* Python's bisect_right(starts, now). */
static Py_ssize_t stage_of(PyObject *starts, PyObject *now)
{
    Py_ssize_t lo = 0, hi = PyTuple_GET_SIZE(starts);
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        int less = PyObject_RichCompareBool(now, PyTuple_GET_ITEM(starts, mid), Py_LT);
        if (less < 0)
            return -1;
        if (less)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static PyObject *evaluate(const FlagObject *f, PyObject *ctx, PyObject *now)
{
    for (Py_ssize_t i = 0; i < f->nprereqs; i++) {
        const Prereq *p = &f->prereqs[i];
        PyObject *call[2] = {ctx, now};
        PyObject *outcome = PyObject_Vectorcall(p->fast, call, 2, NULL);
        if (outcome == NULL)
            return NULL;
        PyObject *evaluation = PyObject_GetAttr(outcome, str_evaluation);
        Py_DECREF(outcome);
        if (evaluation == NULL)
            return NULL;
        PyObject *variant = PyObject_GetAttr(evaluation, str_variant);
        Py_DECREF(evaluation);
        if (variant == NULL)
            return NULL;
        int same = PyObject_RichCompareBool(variant, p->variant, Py_EQ);
        Py_DECREF(variant);
        if (same < 0)
            return NULL;
        if (same)
            return Py_NewRef(p->blocked);
    }
    for (Py_ssize_t i = 0; i < f->nrules; i++) {
        const Rule *r = &f->rules[i];
        int hit = eval_cond(&r->cond, ctx, now);
        if (hit < 0)
            return NULL;
        if (hit)
            return r->outcome != NULL ? Py_NewRef(r->outcome)
                                      : serve_split(f, ctx, &r->split, r->split.no_bucket);
    }
    switch (f->fall_kind) {
    case FALL_OUTCOME:
        return Py_NewRef(f->fall_outcome);
    case FALL_SPLIT:
        return serve_split(f, ctx, &f->fall_split, f->fall_split.no_bucket);
    }
    Py_ssize_t stage = stage_of(f->starts, now);
    if (stage < 0)
        return NULL;
    return serve_split(f, ctx, &f->stages[stage], f->fall_no_bucket);
}

static PyObject *Flag_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs != 2 || (kw != NULL && PyTuple_GET_SIZE(kw) != 0)) {
        PyErr_SetString(PyExc_TypeError, "a flag takes (ctx, now)");
        return NULL;
    }
    return evaluate((FlagObject *)self, args[0], args[1]);
}

static PyObject *Flag_source(FlagObject *f, void *closure)
{
    return Py_NewRef(f->program);
}

static PyGetSetDef Flag_getset[] = {
    {"program", (getter)Flag_source, NULL, "the program this flag was built from", NULL},
    {NULL},
};

static PyTypeObject FlagType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "flagwright.runtime._accel.Flag",
    .tp_basicsize = sizeof(FlagObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "One flag's compiled program: flag(ctx, now) -> Outcome.",
    .tp_new = Flag_new,
    .tp_dealloc = (destructor)Flag_dealloc,
    .tp_traverse = (traverseproc)Flag_traverse,
    .tp_clear = (inquiry)Flag_clear,
    .tp_vectorcall_offset = offsetof(FlagObject, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_getset = Flag_getset,
};

/* ---------------------------------------------------------------- groups (evaluate_all) */

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *entries;    /* tuple of (name, Flag or None, constant evaluation or None) */
    int whole;
    Py_ssize_t n;
    Py_ssize_t varying;
} GroupObject;

static PyObject *Group_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kw);

static PyObject *Group_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *entries;
    int whole;
    if (hits_offset < 0) {
        PyErr_SetString(PyExc_RuntimeError, "flagwright accelerator: configure() first");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!p:Group", &PyTuple_Type, &entries, &whole))
        return NULL;
    Py_ssize_t varying = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(entries); i++) {
        PyObject *e = PyTuple_GET_ITEM(entries, i);
        if (tuple_of(e, 3, "group entry") < 0)
            return NULL;
        PyObject *flag = PyTuple_GET_ITEM(e, 1);
        if (flag != Py_None) {
            if (Py_TYPE(flag) != &FlagType) {
                bad("group entry");
                return NULL;
            }
            varying++;
        } else if (!whole) {
            bad("group entry (a constant outside a whole group)");
            return NULL;
        }
    }
    GroupObject *g = (GroupObject *)type->tp_alloc(type, 0);
    if (g == NULL)
        return NULL;
    g->vectorcall = Group_vectorcall;
    g->entries = Py_NewRef(entries);
    g->whole = whole;
    g->n = PyTuple_GET_SIZE(entries);
    g->varying = varying;
    return (PyObject *)g;
}

static inline PyObject **slot(PyObject *o, Py_ssize_t offset)
{
    return (PyObject **)((char *)o + offset);
}

/* ``outcome.hits += 1`` on an Outcome (its type checked when the flag was built). */
static int count(PyObject *outcome)
{
    PyObject **hits = slot(outcome, hits_offset);
    PyObject *old = *hits;
    if (old == NULL) {
        PyErr_SetString(PyExc_AttributeError, "hits");
        return -1;
    }
    PyObject *one = PyLong_FromLong(1);
    PyObject *sum = one == NULL ? NULL : PyNumber_Add(old, one);
    Py_XDECREF(one);
    if (sum == NULL)
        return -1;
    *hits = sum;
    Py_DECREF(old);
    return 0;
}

static PyObject *Group_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    GroupObject *g = (GroupObject *)self;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs != (g->whole ? 2 : 3) || (kw != NULL && PyTuple_GET_SIZE(kw) != 0)) {
        PyErr_SetString(PyExc_TypeError, "a group takes (ctx, now) whole, else (ctx, now, result)");
        return NULL;
    }
    PyObject *ctx = args[0], *now = args[1];
    PyObject *local[64];
    PyObject **outcomes = g->varying <= 64 ? local : PyMem_Calloc(g->varying, sizeof(PyObject *));
    if (outcomes == NULL)
        return PyErr_NoMemory();
    Py_ssize_t done = 0;
    PyObject *result = NULL;
    for (Py_ssize_t i = 0; i < g->n; i++) {
        PyObject *flag = PyTuple_GET_ITEM(PyTuple_GET_ITEM(g->entries, i), 1);
        if (flag == Py_None)
            continue;
        PyObject *outcome = evaluate((FlagObject *)flag, ctx, now);
        if (outcome == NULL)
            goto done;  /* nothing counted yet: the caller takes the long way */
        outcomes[done++] = outcome;
    }
    /* Every flag answered: count them, then build the answer. */
    for (Py_ssize_t i = 0; i < done; i++)
        if (count(outcomes[i]) < 0)
            goto done;
    result = g->whole ? PyDict_New() : Py_NewRef(args[2]);
    if (result == NULL)
        goto done;
    Py_ssize_t next = 0;
    for (Py_ssize_t i = 0; i < g->n; i++) {
        PyObject *e = PyTuple_GET_ITEM(g->entries, i);
        PyObject *flag = PyTuple_GET_ITEM(e, 1);
        PyObject *evaluation = flag == Py_None ? PyTuple_GET_ITEM(e, 2)
                                               : *slot(outcomes[next++], evaluation_offset);
        if (evaluation == NULL || PyObject_SetItem(result, PyTuple_GET_ITEM(e, 0), evaluation) < 0) {
            if (evaluation == NULL)
                PyErr_SetString(PyExc_AttributeError, "evaluation");
            Py_CLEAR(result);
            goto done;
        }
    }
    if (!g->whole)
        Py_SETREF(result, Py_NewRef(Py_None));
done:
    for (Py_ssize_t i = 0; i < done; i++)
        Py_DECREF(outcomes[i]);
    if (outcomes != local)
        PyMem_Free(outcomes);
    return result;
}

static int Group_traverse(GroupObject *g, visitproc visit, void *arg)
{
    Py_VISIT(g->entries);
    return 0;
}

static int Group_clear(GroupObject *g)
{
    Py_CLEAR(g->entries);
    return 0;
}

static void Group_dealloc(GroupObject *g)
{
    PyObject_GC_UnTrack(g);
    Py_CLEAR(g->entries);
    Py_TYPE(g)->tp_free((PyObject *)g);
}

static PyTypeObject GroupType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "flagwright.runtime._accel.Group",
    .tp_basicsize = sizeof(GroupObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "Several flags for one context, counted only when all answered.",
    .tp_new = Group_new,
    .tp_dealloc = (destructor)Group_dealloc,
    .tp_traverse = (traverseproc)Group_traverse,
    .tp_clear = (inquiry)Group_clear,
    .tp_vectorcall_offset = offsetof(GroupObject, vectorcall),
    .tp_call = PyVectorcall_Call,
};

/* ---------------------------------------------------------------- module */

static Py_ssize_t member_offset(PyTypeObject *type, const char *name)
{
    PyObject *descr = PyDict_GetItemString(type->tp_dict, name);
    if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        PyErr_Format(PyExc_TypeError, "flagwright accelerator: %s is not a slot", name);
        return -1;
    }
    PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
    if (member->type != T_OBJECT_EX) {
        PyErr_Format(PyExc_TypeError, "flagwright accelerator: %s is not an object slot", name);
        return -1;
    }
    return member->offset;
}

static PyObject *configure(PyObject *module, PyObject *type)
{
    if (!PyType_Check(type)) {
        PyErr_SetString(PyExc_TypeError, "configure(Outcome)");
        return NULL;
    }
    Py_ssize_t hits = member_offset((PyTypeObject *)type, "hits");
    Py_ssize_t evaluation = hits < 0 ? -1 : member_offset((PyTypeObject *)type, "evaluation");
    if (evaluation < 0)
        return NULL;
    Py_INCREF(type);
    Py_XSETREF(outcome_type, (PyTypeObject *)type);
    hits_offset = hits;
    evaluation_offset = evaluation;
    Py_RETURN_NONE;
}

static PyObject *murmur3(PyObject *module, PyObject *data)
{
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    uint32_t h = murmur3_32(view.buf, view.len, 0);
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLong(h);
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_O, "configure(Outcome): the class of every served object."},
    {"murmur3", murmur3, METH_O, "murmur3 x86 32-bit, seed 0, unsigned, of bytes."},
    {NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "flagwright.runtime._accel",
    "The optional compiled evaluator of specialised flags (see accel.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__accel(void)
{
    if (PyType_Ready(&FlagType) < 0 || PyType_Ready(&GroupType) < 0)
        return NULL;
    str_get = PyUnicode_InternFromString("get");
    str_startswith = PyUnicode_InternFromString("startswith");
    str_endswith = PyUnicode_InternFromString("endswith");
    str_evaluation = PyUnicode_InternFromString("evaluation");
    str_variant = PyUnicode_InternFromString("variant");
    if (!str_get || !str_startswith || !str_endswith || !str_evaluation || !str_variant)
        return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "Flag", (PyObject *)&FlagType) < 0 ||
        PyModule_AddObjectRef(m, "Group", (PyObject *)&GroupType) < 0 ||
        PyModule_AddIntConstant(m, "ABI", 1) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
