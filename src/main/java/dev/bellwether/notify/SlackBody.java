package dev.bellwether.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body of a Slack-compatible incoming webhook: {@code text} (what notifications and clients without blocks show)
 * and a few blocks with the same facts and a link to the console. Text from people (reasons, names) is escaped as
 * Slack asks (&amp;, &lt;, &gt;), so it cannot form links or mentions.
 */
final class SlackBody {

    private SlackBody() {
    }

    static Map<String, Object> of(WebhookEvent event) {
        String named = event.flag() != null ? event.flag() : event.slo();
        String subject = named == null ? "" : " `" + escape(named) + "`"
                + (event.app() == null ? "" : " (" + escape(event.app()) + ")");
        String title = (event.dryRun() ? "[dry run] " : "") + title(event.type()) + subject;
        List<String> facts = new ArrayList<>();
        if (event.state() != null) {
            facts.add("*State:* " + event.state() + (event.percentage() == null ? "" : " at " + event.percentage() + " %"));
        }
        if (event.actor() != null) {
            facts.add("*By:* " + escape(event.actor()));
        }
        if (event.reason() != null) {
            facts.add("*Reason:* " + escape(event.reason()));
        }
        if (event.evidence() != null) {
            facts.add("*Evidence:* " + escape(event.evidence()));
        }
        String text = title + (event.reason() == null ? "" : ": " + escape(event.reason())) + " <" + event.consoleUrl()
                + "|Open in Bellwether>";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", text);
        body.put("blocks", List.of(
                section("*" + title + "*\n" + String.join("\n", facts)),
                Map.of("type", "context", "elements", List.of(Map.of("type", "mrkdwn",
                        "text", "<" + event.consoleUrl() + "|Open in Bellwether> · " + event.type() + " · " + event.at())))));
        return body;
    }

    private static Map<String, Object> section(String markdown) {
        return Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", markdown));
    }

    private static String title(String type) {
        return EventType.byWireName(type).map(EventType::title).orElse(type);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
