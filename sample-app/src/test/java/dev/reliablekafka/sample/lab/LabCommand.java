package dev.reliablekafka.sample.lab;

import java.util.List;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;

/**
 * The lab's command-line mode: with {@code --lab}, the application runs every scenario with
 * the unsafe setting and with the starter's, prints the comparison and exits (status 1 if the
 * starter lost anything). {@code --lab.records=N} sets the size of the producer scenario.
 *
 * @author Reliable Kafka team
 */
@Component
class LabCommand implements ApplicationRunner {

	private final LossLab lab;

	private final ConfigurableApplicationContext context;

	LabCommand(LossLab lab, ConfigurableApplicationContext context) {
		this.lab = lab;
		this.context = context;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (!args.containsOption("lab")) {
			return;
		}
		List<String> size = args.getOptionValues("lab.records");
		int records = (size != null && !size.isEmpty()) ? Integer.parseInt(size.get(0)) : 20_000;
		List<LabReport> reports = this.lab.runAll(records);
		System.out.println();
		System.out.println("Loss lab on the embedded cluster (3 KRaft nodes, RF 3, min ISR 2):");
		System.out.println(LabReport.header());
		reports.forEach((report) -> System.out.println(report.row()));
		boolean starterLost = reports.stream().anyMatch((report) -> "starter".equals(report.mode()) && report.lost() > 0);
		System.out.println(starterLost ? "The starter lost records." : "The starter lost nothing.");
		System.out.flush();
		int status = SpringApplication.exit(this.context, () -> starterLost ? 1 : 0);
		System.exit(status);
	}

}
