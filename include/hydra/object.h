/*
 * object.h: the value types that the command layer stores in an entry's
 * type tag (struct entry's e_type).
 *
 * The keyspace treats a value as bytes with a tag; this header gives the
 * tags their meaning.  The numbers are stored in the arena, so they never
 * change once released: add new types at the end.
 */
#ifndef HYDRA_OBJECT_H
#define HYDRA_OBJECT_H

enum object_type {
	OBJ_STRING = 0,		/* the bytes are the string */
	OBJ_LIST = 1		/* see list.h */
};

/*
 * The tag's low four bits are the type; the high four say how a value was
 * made, where Redis's OBJECT ENCODING tells such values apart.  Compare
 * types through OBJ_TYPE().
 */
#define OBJ_TYPE_MASK	0x0f
#define OBJ_TYPE(tag)	((tag) & OBJ_TYPE_MASK)

/* A string as a client sent it: "int", "embstr" or "raw" by its bytes. */
#define OBJ_STR_GIVEN	0x00
/* A string grown in place (APPEND, SETRANGE): "raw" whatever its bytes. */
#define OBJ_STR_RAW	0x10
/* A string made from a number (INCRBYFLOAT): "embstr" or "raw", never
   "int". */
#define OBJ_STR_MADE	0x20
/* A copy (COPY) of a client's string: as OBJ_STR_GIVEN, but never shared. */
#define OBJ_STR_COPY	0x30

/* A list packed in the entry's value bytes (list.h). */
#define OBJ_LIST_PACKED	0x00
/* A list whose value is a root over a chain of packed nodes (list.h). */
#define OBJ_LIST_CHAIN	0x10

#endif /* HYDRA_OBJECT_H */
