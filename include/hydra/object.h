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
	OBJ_STRING = 0		/* the bytes are the string */
};

#endif /* HYDRA_OBJECT_H */
