package dev.reliablekafka.testkit.chaos;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs another class's {@code main} in an {@link ApplicationProcess}, after
 * {@link ApplicationProcess#haltWithParent()}: for programs that are not ours to change,
 * such as Kafka's verifiable clients.
 * <p>
 * Arguments: the class's name, then its own arguments.
 *
 * @author Reliable Kafka team
 */
public final class ChildMain {

	private ChildMain() {
	}

	public static void main(String[] args) throws Throwable {
		ApplicationProcess.haltWithParent();
		Method main = Class.forName(args[0]).getMethod("main", String[].class);
		try {
			main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

}
