package dev.bellwether.openapi;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;

/**
 * The served document names the public port's address ({@code bellwether.public-url}) as its server: Swagger UI
 * lives on the management port, where {@code /v1} answers 404, and sends "Try it out" to the document's server. The
 * committed copy stays without servers, the same in every deployment; a generated client is given its base URL.
 */
@OpenApiFilter(OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class ApiServerFilter implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI document) {
        ConfigProvider.getConfig().getOptionalValue("bellwether.public-url", String.class)
                .map(String::strip).filter(url -> !url.isEmpty())
                .ifPresent(url -> document.setServers(List.of(OASFactory.createServer().url(url)
                        .description("The public port, where the /v1 API answers"))));
    }
}
