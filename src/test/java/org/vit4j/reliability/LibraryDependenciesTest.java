package org.vit4j.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A Maven user of the library chooses their own logging binding: every SLF4J binding the project
 * declares for its CLI is optional or test-scoped, so it is not passed on,
 * while the CLI's own classpath ({@code target/lib}) still has it.
 */
class LibraryDependenciesTest {

    @Test
    void loggingBindingsAreNotPassedOnToUsersOfTheLibrary() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
        Element project = pom.getDocumentElement();
        NodeList deps = project.getElementsByTagName("dependency");
        int bindings = 0;
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if (!d.getParentNode().getParentNode().equals(project)) {
                continue; // dependencyManagement's or a profile's
            }
            String artifact = text(d, "artifactId");
            if (artifact.startsWith("slf4j-") && !artifact.equals("slf4j-api") || artifact.startsWith("logback-")) {
                bindings++;
                assertTrue("true".equals(text(d, "optional")) || "test".equals(text(d, "scope")),
                        artifact + " would be forced on every user of the library");
            }
        }
        assertEquals(1, bindings, "the CLI's one binding, slf4j-simple");
        if (Files.isDirectory(Path.of("target/lib"))) {
            try (var s = Files.list(Path.of("target/lib"))) {
                assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("slf4j-simple")), "the launcher's classpath keeps it");
            }
        }
    }

    private static String text(Element e, String tag) {
        NodeList l = e.getElementsByTagName(tag);
        return l.getLength() == 0 ? "" : l.item(0).getTextContent().trim();
    }
}
