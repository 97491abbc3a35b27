package org.pformer.datasets.world;

/** One object of a scene: what it is and which cell of the 3×3 grid it occupies (row 0 is the top). */
public record WorldObject(Shape shape, Colour colour, ObjectSize size, int row, int col) {

    /** "red circle". */
    public String name() {
        return colour.word() + " " + shape.word();
    }

    /** The relation of this object to {@code other}, preferring the horizontal one when both hold. */
    public Relation relationTo(WorldObject other) {
        if (col != other.col) {
            return col < other.col ? Relation.LEFT_OF : Relation.RIGHT_OF;
        }
        return row < other.row ? Relation.ABOVE : Relation.BELOW;
    }

    /** Whether {@code r} holds between this object and {@code other}. */
    public boolean holds(Relation r, WorldObject other) {
        return switch (r) {
            case LEFT_OF -> col < other.col;
            case RIGHT_OF -> col > other.col;
            case ABOVE -> row < other.row;
            case BELOW -> row > other.row;
        };
    }
}
