package io.kybern.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.ResourceType;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every built-in resource the server serves prints the table Kubernetes' own printer gives it. */
class PrinterCoverageTest {

    /**
     * The only built-in resources Kubernetes has no printer for, and so prints with the default Name and
     * Created At columns. Keep this list short and say why for each.
     */
    private static final Set<String> DEFAULT_TABLE = Set.of(
            // Served by the apiextensions server, which builds the default table for its own kind.
            "apiextensions.k8s.io/customresourcedefinitions",
            // Create-only: never listed or read, so never printed as a table.
            "bindings",
            "authentication.k8s.io/selfsubjectreviews",
            "authentication.k8s.io/tokenreviews",
            "authorization.k8s.io/localsubjectaccessreviews",
            "authorization.k8s.io/selfsubjectaccessreviews",
            "authorization.k8s.io/selfsubjectrulesreviews",
            "authorization.k8s.io/subjectaccessreviews");

    private static String key(ResourceType type) {
        return type.gvr().group().isEmpty() ? type.gvr().resource()
                : type.gvr().group() + "/" + type.gvr().resource();
    }

    @Test
    void everyBuiltInResourceHasAPrinterUnlessKubernetesPrintsItWithTheDefaultTable() {
        Set<String> withoutPrinter = new TreeSet<>();
        for (ResourceType type : new BuiltInResources().all()) {
            if (!Printers.hasOwnPrinter(type.gvr().group(), type.gvr().resource())) {
                withoutPrinter.add(key(type));
            }
        }
        assertThat(withoutPrinter).containsExactlyInAnyOrderElementsOf(DEFAULT_TABLE);
    }

    @Test
    void theDefaultTableListNamesOnlyServedResources() {
        List<String> served = new BuiltInResources().all().stream().map(PrinterCoverageTest::key).toList();
        assertThat(served).containsAll(DEFAULT_TABLE);
    }

    @Test
    void everyPrinterNamesItsObjectsAndDeclaresWellFormedColumns() {
        for (ResourceType type : new BuiltInResources().all()) {
            List<TableColumn> columns = Printers.forResource(type.gvr().group(), type.gvr().resource()).columns();
            assertThat(columns).as(key(type)).extracting(TableColumn::format).contains("name");
            assertThat(columns).as(key(type)).extracting(TableColumn::name).doesNotHaveDuplicates();
            assertThat(columns).as(key(type)).allSatisfy(column -> {
                assertThat(column.type()).isIn("string", "integer", "number", "boolean", "date");
                assertThat(column.priority()).isIn(0, 1);
                assertThat(column.description()).isNotBlank();
            });
        }
    }
}
