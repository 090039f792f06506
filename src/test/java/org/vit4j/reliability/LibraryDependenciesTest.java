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
 * What a Maven user of the library gets: every SLF4J binding and the CLI's parser (picocli) are
 * optional or test-scoped, so they are not passed on, while the CLI's own classpath
 * ({@code target/lib}) still has them; and the POM says what the artifact is.
 */
class LibraryDependenciesTest {

    @Test
    void theCommandLineParserIsNotPassedOnToUsersOfTheLibrary() throws Exception {
        Element project = project();
        Element picocli = null;
        NodeList deps = project.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if (d.getParentNode().getParentNode().equals(project) && text(d, "artifactId").equals("picocli")) {
                picocli = d;
            }
        }
        assertTrue(picocli != null, "pom.xml declares picocli");
        assertEquals("true", text(picocli, "optional"), "picocli would be forced on every user of the library");
        if (Files.isDirectory(Path.of("target/lib"))) {
            try (var s = Files.list(Path.of("target/lib"))) {
                assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("picocli-")), "the launcher's classpath keeps it");
            }
        }
    }

    @Test
    void thePomSaysWhatTheArtifactIs() throws Exception {
        Element project = project();
        assertEquals("org.vit4j", childText(project, "groupId"));
        assertEquals("vit4j", childText(project, "artifactId"));
        assertEquals("vit4j", childText(project, "name"));
        assertTrue(childText(project, "description").contains("Vision Transformer"), childText(project, "description"));
        NodeList licenses = project.getElementsByTagName("license");
        assertEquals(1, licenses.getLength(), "one licence");
        assertEquals("Apache-2.0", text((Element) licenses.item(0), "name"));
    }

    private static Element project() throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile()).getDocumentElement();
    }

    private static String childText(Element parent, String tag) {
        for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                return e.getTextContent().trim();
            }
        }
        return "";
    }

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
