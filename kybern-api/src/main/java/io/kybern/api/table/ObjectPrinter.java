package io.kybern.api.table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** The columns of one kind's table and how each cell is read from an object. */
public final class ObjectPrinter {

    /** One column and its cell: a String, a Long or a Double, as the column's type says. */
    public record Column(TableColumn definition, Function<PrintedObject, Object> cell) {
    }

    private final List<Column> columns;
    private final Function<PrintedObject, List<RowCondition>> conditions;

    public ObjectPrinter(List<Column> columns) {
        this(columns, object -> List.of());
    }

    ObjectPrinter(List<Column> columns, Function<PrintedObject, List<RowCondition>> conditions) {
        this.columns = List.copyOf(columns);
        this.conditions = conditions;
    }

    /** The conditions of an object's row; most kinds have none. */
    public List<RowCondition> conditions(PrintedObject object) {
        return conditions.apply(object);
    }

    public List<TableColumn> columns() {
        return columns.stream().map(Column::definition).toList();
    }

    /** The cells of one object, wide columns included: kubectl hides them unless asked for {@code -o wide}. */
    public List<Object> cells(PrintedObject object) {
        List<Object> cells = new ArrayList<>(columns.size());
        for (Column column : columns) {
            cells.add(column.cell().apply(object));
        }
        return cells;
    }

    /**
     * The same columns, each cell read from the object as {@code view} presents it: for a kind served in
     * two shapes that Kubernetes prints from one.
     */
    ObjectPrinter readingThrough(UnaryOperator<PrintedObject> view) {
        List<Column> viewed = columns.stream()
                .map(column -> new Column(column.definition(), o -> column.cell().apply(view.apply(o))))
                .toList();
        return new ObjectPrinter(viewed, o -> conditions.apply(view.apply(o)));
    }

    static Builder builder() {
        return new Builder(PrintedObject::name);
    }

    /** A printer whose Name cell says more than the name (a storage class marked default). */
    static Builder builder(Function<PrintedObject, Object> nameCell) {
        return new Builder(nameCell);
    }

    /** A printer that places the Name column itself (events show it last, and only with -o wide). */
    static Builder builderWithoutName() {
        return new Builder(null);
    }

    /** Columns in print order; Name comes first unless the printer places it. */
    static final class Builder {
        private final List<Column> columns = new ArrayList<>();
        private Function<PrintedObject, List<RowCondition>> conditions = object -> List.of();

        Builder(Function<PrintedObject, Object> nameCell) {
            if (nameCell != null) {
                columns.add(new Column(TableColumn.nameColumn(), nameCell));
            }
        }

        Builder column(TableColumn definition, Function<PrintedObject, Object> cell) {
            columns.add(new Column(definition, cell));
            return this;
        }

        Builder age() {
            return column(TableColumn.ageColumn(), PrintedObject::age);
        }

        Builder conditions(Function<PrintedObject, List<RowCondition>> rowConditions) {
            this.conditions = rowConditions;
            return this;
        }

        ObjectPrinter build() {
            return new ObjectPrinter(columns, conditions);
        }
    }
}
