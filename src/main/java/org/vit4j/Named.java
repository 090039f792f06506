package org.vit4j;

/**
 * An enum whose constants go by the names that options and {@code config.json} use: the constant's
 * name in lower case with {@code -} for {@code _} ({@code SINCOS2D_MAE} is {@code sincos2d-mae}).
 * {@link Names#parse} reads them back.
 */
public interface Named {

    /**
     * The constant's Java name; every enum has it.
     *
     * @return e.g. {@code SINCOS2D_MAE}
     */
    String name();

    /**
     * The name used on the command line and in {@code config.json}.
     *
     * @return e.g. {@code sincos2d-mae}
     */
    default String cliName() {
        return Names.of(name());
    }
}
