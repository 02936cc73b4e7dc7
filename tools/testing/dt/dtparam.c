// SPDX-License-Identifier: (GPL-2.0-only OR MIT)
/*
 * dtparam: apply Raspberry Pi overlay parameters to a compiled overlay the
 * way the Pi firmware and Raspberry Pi's dtmerge/dtoverlay do (their
 * dtmerge/dtoverlay.c), so that plain fdtoverlay, which knows nothing of
 * __overrides__, can then merge it.
 *
 *   dtparam IN.dtbo OUT.dtbo [name[=value]]...
 *
 * A bare name means name=true. The overrides understood, per target:
 *   <&n>,"prop"        string; a "status" target turns y/yes/on/true/enable/1
 *                      into "okay" and n/no/off/false/0 into "disabled";
 *                      the pseudo-property "name" renames the node
 *   <&n>,"prop.OFF"    integer of 1 (.), 2 (;), 4 (:) or 8 (#) bytes at byte
 *                      offset OFF, created or zero-extended as needed, except
 *                      that "reg" is never created or extended; setting
 *                      reg:0 also sets the node's unit address ("dev@2b")
 *   <&n>,"prop?"       boolean: true adds the empty property, false deletes
 *   <&n>,"prop!"       the same, inverted
 *   <&n>,"prop...=X"   the literal X instead of the parameter's value; an
 *                      empty X takes the following string (string targets)
 *                      or cell (other targets) of the override as literal
 *   <0>,"+N-N=N!N"     fragment@N: + activates, - deactivates, = activates
 *                      when the value is true, ! when it is false; an
 *                      active fragment has __overlay__, an inactive one
 *                      __dormant__ (which fdtoverlay skips)
 * Integers are C literals (strtoull base 0: 42, 0x2a, 052) or y/yes/on/true/
 * down (1), n/no/off/false (0), up (2); for fragments any other non-empty
 * value is true.
 *
 * Where the firmware warns and goes on, this fails: an unknown parameter, a
 * value that is not a number, is empty or does not fit its cell, or an
 * override form this lacks (lookups "{...}", byte strings "[") is
 * "dtparam: message" on stderr, exit status 1, and no output file. String
 * escapes and the appending to "bootargs" are not done either.
 *
 * The firmware applies the overlay's fixups before its parameters; here
 * fdtoverlay applies them afterwards, so renaming a node (reg:0, name,
 * fragments) rewrites its paths in __fixups__, __local_fixups__ and
 * __symbols__ as dtoverlay.c does in that case, and a deleted boolean
 * property loses its fixups. A cell literal holding a phandle (<&label>) is
 * copied as is, without a fixup: not supported.
 *
 * The output has no __overrides__ (nor its fixups): the parameters are
 * applied, and fdtoverlay would only carry it along.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>

#define PATH_LEN 1024

static void *fdt;
static const char *param;	/* the parameter being applied, for messages */

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("dtparam: ", stderr);
	if (param)
		fprintf(stderr, "%s: ", param);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int check(int err)
{
	if (err < 0)
		die("%s", fdt_strerror(err));
	return err;
}

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* A value as an integer, the firmware's way; -1 if it is none. */
static int parse_int(const char *s, uint64_t *v)
{
	static const char *const one[] = {
		"y", "yes", "on", "true", "down", NULL
	};
	static const char *const zero[] = { "n", "no", "off", "false", NULL };
	char *end;

	if (*s >= '0' && *s <= '9') {
		*v = strtoull(s, &end, 0);
		return *end ? -1 : 0;
	}
	if (in_list(s, one))
		*v = 1;
	else if (in_list(s, zero))
		*v = 0;
	else if (!strcmp(s, "up"))
		*v = 2;
	else
		return -1;
	return 0;
}

static uint64_t need_int(const char *s)
{
	uint64_t v;

	if (parse_int(s, &v))
		die("invalid value '%s'", s);
	return v;
}

/*
 * In each string of each property of node NODE_PATH, replace the path OLD
 * (alone, or followed by '/' or ':') by NEW.
 */
static void repath(const char *node_path, const char *old, const char *new)
{
	size_t ol = strlen(old), nl = strlen(new);
	int node, prop;

	node = fdt_path_offset(fdt, node_path);
	if (node < 0)
		return;
	fdt_for_each_property_offset(prop, fdt, node) {
		const char *val, *name, *p, *end;
		char pname[256], *buf, *q;
		int len, changed = 0;

		val = fdt_getprop_by_offset(fdt, prop, &name, &len);
		end = val + len;
		q = buf = xmalloc((size_t)len * (nl + 1) + 1);
		for (p = val; p < end; p += strlen(p) + 1) {
			size_t sl = strnlen(p, end - p);

			if (sl == (size_t)(end - p))
				break;	/* not a string list */
			if (sl >= ol && !memcmp(p, old, ol) &&
			    (!p[ol] || p[ol] == '/' || p[ol] == ':')) {
				q += sprintf(q, "%s%s", new, p + ol) + 1;
				changed = 1;
			} else {
				q += sprintf(q, "%s", p) + 1;
			}
		}
		if (changed && p == end) {
			snprintf(pname, sizeof(pname), "%s", name);
			check(fdt_setprop(fdt, node, pname, buf, q - buf));
		}
		free(buf);
	}
}

/* Rename a node, and its paths in the fixups and symbols with it. */
static void set_name(int node, const char *name)
{
	char old[PATH_LEN], new[PATH_LEN], mirror[PATH_LEN + 20];
	char *slash;

	check(fdt_get_path(fdt, node, old, sizeof(old)));
	slash = strrchr(old, '/');
	if (!strcmp(slash + 1, name))
		return;
	check(fdt_set_name(fdt, node, name));
	snprintf(new, sizeof(new), "%.*s/%s", (int)(slash - old), old, name);
	repath("/__fixups__", old, new);
	repath("/__local_fixups__", old, new);	/* old-style "fixup" lists */
	repath("/__symbols__", old, new);
	snprintf(mirror, sizeof(mirror), "/__local_fixups__%s", old);
	node = fdt_path_offset(fdt, mirror);
	if (node >= 0)
		check(fdt_set_name(fdt, node, name));
}

/* Drop the __fixups__ entries ("path:prop:offset") that start with PREFIX. */
static void drop_fixups(const char *prefix)
{
	size_t pl = strlen(prefix);
	int node, prop;

again:
	node = fdt_path_offset(fdt, "/__fixups__");
	if (node < 0)
		return;
	fdt_for_each_property_offset(prop, fdt, node) {
		const char *val, *name, *p;
		char pname[256], *buf, *q;
		int len;

		val = fdt_getprop_by_offset(fdt, prop, &name, &len);
		if (len <= 0 || val[len - 1])
			continue;	/* not a string list */
		q = buf = xmalloc(len);
		for (p = val; p < val + len; p += strlen(p) + 1)
			if (strncmp(p, prefix, pl))
				q += sprintf(q, "%s", p) + 1;
		if (q - buf != len) {
			snprintf(pname, sizeof(pname), "%s", name);
			if (q == buf)
				check(fdt_delprop(fdt, node, pname));
			else
				check(fdt_setprop(fdt, node, pname, buf, q - buf));
			free(buf);
			goto again;	/* property offsets have moved */
		}
		free(buf);
	}
}

static void set_int(int node, const char *prop, int off, int size,
		    const char *value)
{
	uint64_t v = need_int(value);
	const char *old;
	char *buf;
	int len, i;

	if (off < 0)
		die("bad offset in '%s'", prop);
	if (size < 8 && v >> (8 * size))
		die("value '%s' does not fit in %d bytes", value, size);
	old = fdt_getprop(fdt, node, prop, &len);
	if (!old)
		len = 0;
	buf = xmalloc(len > off + size ? len : off + size);
	if (len)
		memcpy(buf, old, len);
	for (i = 0; i < size; i++)
		buf[off + i] = v >> (8 * (size - 1 - i));
	/* reg is a pseudo-property when missing or short: only the name */
	if (strcmp(prop, "reg") || len >= off + size)
		check(fdt_setprop(fdt, node, prop, buf,
				  len > off + size ? len : off + size));
	free(buf);

	if (!strcmp(prop, "reg") && off == 0) {
		const char *name = fdt_get_name(fdt, node, NULL);
		const char *at = strchr(name, '@');
		char new[256];

		if (at) {
			snprintf(new, sizeof(new), "%.*s@%x", (int)(at - name),
				 name, (uint32_t)v);
			set_name(node, new);
		}
	}
}

static void set_bool(uint32_t phandle, const char *prop, int invert,
		     const char *value)
{
	int node = fdt_node_offset_by_phandle(fdt, phandle), len;
	int on = !!need_int(value) ^ invert;
	char path[PATH_LEN + 300];

	if (fdt_getprop(fdt, node, prop, &len) && len > 0) {
		check(fdt_get_path(fdt, node, path, PATH_LEN));
		snprintf(path + strlen(path), 300, ":%s:", prop);
		drop_fixups(path);
		node = fdt_node_offset_by_phandle(fdt, phandle);
	}
	if (on) {
		check(fdt_setprop(fdt, node, prop, NULL, 0));
	} else {
		len = fdt_delprop(fdt, node, prop);
		if (len != -FDT_ERR_NOTFOUND)
			check(len);
	}
}

static void set_string(int node, const char *prop, const char *value)
{
	static const char *const on[] = {
		"y", "yes", "on", "true", "enable", "1", NULL
	};
	static const char *const off[] = {
		"n", "no", "off", "false", "0", NULL
	};

	if (!strcmp(prop, "status") && in_list(value, on))
		value = "okay";
	else if (!strcmp(prop, "status") && in_list(value, off))
		value = "disabled";
	if (!strcmp(prop, "name"))
		set_name(node, value);
	else
		check(fdt_setprop_string(fdt, node, prop, value));
}

/* <0>,"+N-N=N!N": activate or deactivate fragments. */
static void fragments(const char *spec, const char *value)
{
	const char *p = spec;
	uint64_t v;

	if (parse_int(value, &v)) {
		if (!*value)
			die("invalid value ''");
		v = 1;
	}
	while (*p) {
		char type = *p, path[40], *end;
		unsigned long n = strtoul(p + 1, &end, 0);
		int active, frag;

		if (!strchr("+-=!", type) || end == p + 1)
			die("bad fragment override '%s'", spec);
		active = type == '+' || (type == '=' && v) ||
			 (type == '!' && !v);
		snprintf(path, sizeof(path), "/fragment@%lu", n);
		frag = fdt_path_offset(fdt, path);
		if (frag < 0) {
			snprintf(path, sizeof(path), "/fragment-%lu", n);
			frag = fdt_path_offset(fdt, path);
		}
		if (frag < 0)
			die("no fragment %lu", n);
		frag = fdt_subnode_offset(fdt, frag,
					  active ? "__dormant__" : "__overlay__");
		if (frag >= 0)
			set_name(frag, active ? "__overlay__" : "__dormant__");
		p = end;
	}
}

/*
 * One <&node>,"spec"[,literal] target; DATA..END is what follows "spec" in
 * the override. Returns where the next target starts.
 */
static const char *target(uint32_t phandle, const char *spec,
			  const char *value, const char *data, const char *end)
{
	size_t tlen = strcspn(spec, "={"), nlen = strcspn(spec, ".;:#?![{=");
	static const char sizes[] = ".;:#";
	char prop[256], sep = spec[nlen], cell[16];
	const char *lit = spec + tlen + 1;
	int node, size = 0;

	if (spec[tlen] == '{' || sep == '[')
		die("override '%s' is not supported", spec);
	if (nlen >= sizeof(prop))
		die("property name too long in '%s'", spec);
	memcpy(prop, spec, nlen);
	prop[nlen] = 0;
	if (sep && strchr(sizes, sep))
		size = 1 << (strchr(sizes, sep) - sizes);

	if (spec[tlen] == '=') {
		if (*lit) {
			value = lit;
		} else if (!size && sep != '?' && sep != '!') {
			/* "prop=",&label: the next string */
			value = data < end ? data : "";
			if (data < end)
				data += strnlen(data, end - data) + 1;
		} else {		/* "prop:0=",<N>: the next cell */
			if (end - data < 4)
				die("truncated cell literal in '%s'", spec);
			snprintf(cell, sizeof(cell), "%u",
				 (unsigned int)fdt32_ld((const fdt32_t *)data));
			value = cell;
			data += 4;
		}
		if (data > end)
			die("truncated literal in '%s'", spec);
	}

	node = fdt_node_offset_by_phandle(fdt, phandle);
	if (node < 0)
		die("no node with phandle %u", phandle);
	if (size)
		set_int(node, prop, atoi(spec + nlen + 1), size, value);
	else if (sep == '?' || sep == '!')
		set_bool(phandle, prop, sep == '!', value);
	else
		set_string(node, prop, value);
	return data;
}

static void apply(const char *value)
{
	const char *data, *p, *end;
	char *copy;
	int len, node;

	node = fdt_path_offset(fdt, "/__overrides__");
	data = node < 0 ? NULL : fdt_getprop(fdt, node, param, &len);
	if (!data)
		die("unknown parameter");
	/* The overlay changes under our feet: work on a copy. */
	copy = xmalloc(len + 1);
	memcpy(copy, data, len);
	for (p = copy, end = copy + len; p < end;) {
		uint32_t phandle;
		const char *spec;
		size_t slen;

		if (end - p < 5)
			die("malformed override");
		phandle = fdt32_ld((const fdt32_t *)p);
		spec = p + 4;
		slen = strnlen(spec, end - spec);
		if (spec + slen == end)
			die("malformed override");
		p = spec + slen + 1;
		if (phandle == 0)
			fragments(spec, value);
		else
			p = target(phandle, spec, value, p, end);
	}
	free(copy);
}

/* Remove __overrides__ and what refers to it. */
static void strip_overrides(void)
{
	int node;

	drop_fixups("/__overrides__:");
	node = fdt_path_offset(fdt, "/__local_fixups__/__overrides__");
	if (node >= 0)
		check(fdt_del_node(fdt, node));
	node = fdt_path_offset(fdt, "/__overrides__");
	if (node >= 0)
		check(fdt_del_node(fdt, node));
}

static void *read_file(const char *name, size_t *size)
{
	FILE *f = fopen(name, "rb");
	size_t cap = 65536, n = 0;
	char *buf;

	if (!f)
		die("%s: cannot open", name);
	buf = xmalloc(cap);
	while ((n += fread(buf + n, 1, cap - n, f)) == cap) {
		cap *= 2;
		buf = realloc(buf, cap);
		if (!buf)
			die("out of memory");
	}
	if (ferror(f))
		die("%s: read error", name);
	fclose(f);
	*size = n;
	return buf;
}

int main(int argc, char **argv)
{
	size_t size;
	void *in;
	FILE *f;
	int i;

	if (argc < 3)
		die("usage: dtparam IN.dtbo OUT.dtbo [name[=value]]...");
	in = read_file(argv[1], &size);
	if (size < sizeof(struct fdt_header) || fdt_check_header(in) ||
	    fdt_totalsize(in) > size)
		die("%s: not a device tree blob", argv[1]);
	size = fdt_totalsize(in) * 2 + 65536;
	fdt = xmalloc(size);
	check(fdt_open_into(in, fdt, size));
	free(in);

	for (i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (eq)
			*eq = 0;
		param = argv[i];
		if (!*param)
			die("empty parameter name");
		apply(eq ? eq + 1 : "true");
	}
	param = NULL;
	strip_overrides();
	check(fdt_pack(fdt));

	f = fopen(argv[2], "wb");
	if (!f)
		die("%s: cannot create", argv[2]);
	if (fwrite(fdt, fdt_totalsize(fdt), 1, f) != 1 || fclose(f)) {
		remove(argv[2]);
		die("%s: write error", argv[2]);
	}
	return 0;
}
